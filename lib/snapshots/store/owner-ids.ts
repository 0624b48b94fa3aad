// Owners in a manifest are ids as seen inside the sandbox, not host ids: a sandbox in a user
// namespace owns host ids base..base+size-1, and a wake or fork may land on a runner with another
// range (or none). Writing subtracts the writer's base, restoring adds the reader's, so 0 and 1000
// inside stay 0 and 1000. Without a range both are the identity, which is what snapshots written
// before user namespaces hold.
import { hostIdOf, insideIdOf, type IdMap } from "../../sandbox";
import type { ManifestEntry } from "./manifest-schema";

export function toInsideOwners(entries: ManifestEntry[], map: IdMap): void {
  if (!map) return;
  for (const e of entries) {
    if (e.type === "hardlink") continue;
    e.uid = insideIdOf(map, e.uid);
    e.gid = insideIdOf(map, e.gid);
  }
}

/** A copy of the entries with host owners for this range (the manifest itself stays as read). */
export function toHostOwners(entries: readonly ManifestEntry[], map: IdMap): ManifestEntry[] {
  if (!map) return [...entries];
  return entries.map((e) => (e.type === "hardlink" ? e : { ...e, uid: hostIdOf(map, e.uid), gid: hostIdOf(map, e.gid) }));
}
