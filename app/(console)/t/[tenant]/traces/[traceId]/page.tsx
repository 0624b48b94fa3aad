import type { Metadata } from "next";
import { TracePage } from "@/components/traces/trace-page";

export async function generateMetadata({ params }: { params: Promise<{ traceId: string }> }): Promise<Metadata> {
  const { traceId } = await params;
  return { title: `${traceId.slice(0, 8)}… · Traces · Burrow` };
}

export default async function Page({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return <TracePage key={traceId} traceId={traceId} />;
}
