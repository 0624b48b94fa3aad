import type { Metadata } from "next";
import { Suspense } from "react";
import { SessionDetailPage } from "@/components/sessions/session-detail-page";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: `${id} · Sessions · Burrow` };
}

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // The page reads its tab from the URL's search params (useSearchParams).
  return <Suspense><SessionDetailPage key={id} id={id} /></Suspense>;
}
