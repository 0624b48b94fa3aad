// User namespaces: uid/gid 0..size-1 inside a sandbox are hostBase..hostBase+size-1 on the host, so
// root in a sandbox is an unprivileged user there. One range per runner (README "Security"): the
// shared template layers can then be owned by the mapped root once, and runc 1.1 has no idmapped
// mounts that would let one layer serve several ranges. Pure: no I/O here.

/** null: no user namespace (inside ids are host ids). */
export type IdMap = { hostBase: number; size: number } | null;

/** The kernel's overflow id: what an unmapped host owner looks like inside ("nobody"). */
export const OVERFLOW_ID = 65534;
export const DEFAULT_ID_RANGE_SIZE = 65536;

/** The host owner of an id as seen inside; ids beyond the range become the range's nobody. */
export function hostIdOf(map: IdMap, insideId: number): number {
  if (!map) return insideId;
  return map.hostBase + (insideId < map.size ? insideId : OVERFLOW_ID);
}

/** An id as seen inside the sandbox for a host owner; owners outside the range are nobody (as the kernel shows them). */
export function insideIdOf(map: IdMap, hostId: number): number {
  if (!map) return hostId;
  return hostId >= map.hostBase && hostId < map.hostBase + map.size ? hostId - map.hostBase : OVERFLOW_ID;
}

/** uidMappings/gidMappings of the OCI config (the same range for both). */
export function ociIdMappings(map: NonNullable<IdMap>) {
  const mapping = [{ containerID: 0, hostID: map.hostBase, size: map.size }];
  return { uidMappings: mapping, gidMappings: mapping };
}

/** A range must leave host root (and the ids below it) out, and fit in 32 bits. */
export function assertIdMap(map: IdMap): void {
  if (!map) return;
  const ok = Number.isInteger(map.hostBase) && Number.isInteger(map.size) && map.hostBase >= 1 && map.size > OVERFLOW_ID && map.hostBase + map.size <= 0xffffffff;
  if (!ok) throw new RangeError(`Invalid user namespace range: host ids ${map.hostBase}+${map.size} (base at least 1, size above ${OVERFLOW_ID}, below 2^32)`);
}
