import type { Metadata } from "next";
import { SnapshotsPage } from "@/components/snapshots/snapshots-page";

export const metadata: Metadata = { title: "Snapshots · Burrow" };

export default function Page() {
  return <SnapshotsPage />;
}
