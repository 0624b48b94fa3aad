// The runner's side of the hibernate cache (lib/sandbox/hibernate-cache.ts): after a hibernate the
// session's files stay on this runner's disk while space allows, so a wake here remounts them
// instead of restoring the snapshot. Caches are copies of durable snapshots, so any of them may be
// deleted at any time: the least recently made go first when the total passes the limit, and the
// sweep deletes those no hibernated session can use (terminated, or a newer snapshot since).
import { db } from "../db/client";
import { env } from "../env";
import type { CachedFiles, SandboxBackend } from "../sandbox";

/** Without SANDBOX_HIBERNATE_CACHE_BYTES: this share of the disk space free for caches. */
export const DEFAULT_CACHE_SHARE = 0.25;

type Log = (message: string) => void;
type CacheBackend = SandboxBackend & Required<Pick<SandboxBackend, "keepAsCache" | "takeCache" | "listCaches" | "dropCache">>;

export function cacheBackend(backend: SandboxBackend, limitBytes = env.SANDBOX_HIBERNATE_CACHE_BYTES): CacheBackend | null {
  if (limitBytes === 0 || !backend.keepAsCache || !backend.takeCache || !backend.listCaches || !backend.dropCache) return null;
  return backend as CacheBackend;
}

/** The limit: the setting, else a quarter of what is free plus what caches already take. */
export async function cacheLimitBytes(backend: SandboxBackend, caches: CachedFiles[], setting = env.SANDBOX_HIBERNATE_CACHE_BYTES): Promise<number> {
  if (setting !== undefined) return setting;
  const free = (await backend.freeBytes?.().catch(() => 0)) ?? 0;
  return Math.floor((free + caches.reduce((s, c) => s + c.bytes, 0)) * DEFAULT_CACHE_SHARE);
}

/**
 * After the snapshot of a hibernate is recorded: keep the files as a cache (then trim the caches
 * to the limit, oldest first, this one included) or, without a cache, delete the sandbox.
 */
export async function keepOrDestroy(backend: SandboxBackend, id: string, snapshotId: string, log?: Log): Promise<CachedFiles | null> {
  const cb = cacheBackend(backend);
  if (!cb) {
    await backend.destroy(id);
    return null;
  }
  const kept = await cb.keepAsCache(id, snapshotId);
  await trimCaches(cb, log);
  return kept && (await cb.listCaches()).some((c) => c.id === id) ? kept : null;
}

/** Deletes the least recently made caches until they fit the limit. */
export async function trimCaches(backend: CacheBackend, log?: Log, busy: ReadonlySet<string> = new Set(), setting = env.SANDBOX_HIBERNATE_CACHE_BYTES): Promise<void> {
  const caches = (await backend.listCaches()).sort((a, b) => a.cachedAt - b.cachedAt || a.id.localeCompare(b.id));
  const limit = await cacheLimitBytes(backend, caches, setting);
  let total = caches.reduce((s, c) => s + c.bytes, 0);
  for (const c of caches) {
    if (total <= limit) return;
    if (busy.has(c.id)) continue;
    if (await backend.dropCache(c.id, c.snapshotId || undefined)) log?.(`hibernate cache: evicted ${c.id} (${c.bytes} bytes; caches over ${limit})`);
    total -= c.bytes;
  }
}

/**
 * The orphan sweep's part: caches whose session is gone, terminated, awake elsewhere or
 * hibernated from another snapshot are deleted; then the rest is trimmed to the limit. `busy`:
 * sessions this runner is working on (a wake may be taking its cache).
 */
export async function sweepHibernateCaches(backend: SandboxBackend, busy: ReadonlySet<string>, log?: Log): Promise<void> {
  const cb = backend.listCaches && backend.dropCache ? (backend as CacheBackend) : null;
  if (!cb) return;
  const caches = await cb.listCaches();
  if (caches.length === 0) return;
  const sessions = await db().session.findMany({ where: { id: { in: caches.map((c) => c.id) } }, select: { id: true, state: true, snapshotId: true } });
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const off = cacheBackend(backend) === null;
  for (const c of caches) {
    if (busy.has(c.id)) continue;
    const s = byId.get(c.id);
    const usable = !off && s?.state === "hibernated" && s.snapshotId === c.snapshotId;
    if (usable) continue;
    if (await cb.dropCache(c.id, c.snapshotId || undefined)) log?.(`hibernate cache: removed ${c.id} (${s ? `${s.state}, snapshot ${s.snapshotId}` : "no such session"})`);
  }
  await trimCaches(cb, log, busy);
}
