// The hibernate cache: a hibernated session's writable area (its disk image, or upper/ and
// workspace/) left on this host after its snapshot was written, with a marker naming the snapshot
// it equals. A wake here whose snapshot is that one mounts it again instead of restoring from the
// store. The marker is written last and removed before anything runs on the files, so files with
// a marker are always an exact copy of a durable snapshot: deleting them never loses data.
// Owners on disk are host ids of the runner's user namespace range: a cache made in another range
// (the runner restarted with another SANDBOX_UID_BASE) is stale.
// A fingerprint (the image's inode, size and times; without an image, every entry's stat) taken
// when the cache is made must still match at the wake, else the cache counts as damaged.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sandboxHandle, type BackendContext } from "./backend-context";
import { destroySandbox } from "./destroy-sandbox";
import { isMountPoint } from "./overlay-mount";
import type { SandboxLayout } from "./sandbox-layout";
import type { CachedFiles, CacheLookup } from "./types";

export const CACHE_MARKER = "hibernate-cache.json";
/** idMap: the owners' range the files were written in (a runner restarted with another range cannot use them). */
type Marker = CachedFiles & { fingerprint: string; idMap: BackendContext["idMap"] };

const markerOf = (l: SandboxLayout) => path.join(l.root, CACHE_MARKER);
const MAX_WALK_ENTRIES = 5_000_000;

/**
 * Stops the sandbox (its processes never run again after the snapshot: they are killed while
 * frozen), removes all but its writable area and marks that as equal to `snapshotId`. Call only
 * once the snapshot is durable and recorded. Returns the cache, or null when there were no files.
 */
export async function keepAsCache(ctx: BackendContext, id: string, snapshotId: string, now = Date.now()): Promise<CachedFiles | null> {
  await destroySandbox(ctx, id, { keepFiles: true });
  const h = sandboxHandle(ctx, id);
  return ctx.locks.run(id, async () => {
    const print = await fingerprint(h.layout);
    if (!print) return null;
    const marker: Marker = { id, snapshotId, bytes: print.bytes, cachedAt: now, fingerprint: print.value, idMap: ctx.idMap };
    const tmp = `${markerOf(h.layout)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(marker), { mode: 0o600 });
    fs.renameSync(tmp, markerOf(h.layout));
    return { id, snapshotId, bytes: print.bytes, cachedAt: now };
  });
}

/**
 * For a wake of `id` from `snapshotId`: "hit" when the cache is that snapshot and untouched (the
 * marker is removed: the files are the session's live files from now on); "stale" or "damaged"
 * caches are deleted (they are copies of durable snapshots); "missing" touches nothing (files
 * without a marker are not a cache and are left to the caller).
 */
export async function takeCache(ctx: BackendContext, id: string, snapshotId: string): Promise<CacheLookup> {
  const h = sandboxHandle(ctx, id);
  return ctx.locks.run(id, async () => {
    const marker = readMarker(h.layout);
    if (marker === undefined) return "missing";
    const verdict: CacheLookup =
      marker === null ? "damaged"
        : marker.snapshotId !== snapshotId || JSON.stringify(marker.idMap ?? null) !== JSON.stringify(ctx.idMap) ? "stale"
          : (await fingerprint(h.layout))?.value !== marker.fingerprint ? "damaged" : "hit";
    if (verdict === "hit") fs.rmSync(markerOf(h.layout));
    return verdict;
  }).then(async (verdict) => {
    if (verdict === "stale" || verdict === "damaged") await dropCache(ctx, id);
    return verdict;
  });
}

/** The caches on this host. */
export function listCaches(ctx: BackendContext): CachedFiles[] {
  const out: CachedFiles[] = [];
  for (const name of fs.readdirSync(ctx.stateDir)) {
    if (name.startsWith(".")) continue;
    const m = readMarker(sandboxHandle(ctx, name).layout);
    if (m) out.push({ id: m.id, snapshotId: m.snapshotId, bytes: m.bytes, cachedAt: m.cachedAt });
    else if (m === null) out.push({ id: name, snapshotId: "", bytes: 0, cachedAt: 0 }); // unreadable marker: first to go
  }
  return out;
}

/** Deletes a cache (only while it still is one: its marker is there, optionally for `snapshotId`). */
export async function dropCache(ctx: BackendContext, id: string, snapshotId?: string): Promise<boolean> {
  const l = sandboxHandle(ctx, id).layout;
  const m = readMarker(l);
  if (m === undefined || (snapshotId !== undefined && m?.snapshotId !== snapshotId)) return false;
  // Under the lock the marker is looked at again: a wake may have taken the cache meanwhile.
  const still = await ctx.locks.run(id, async () => readMarker(l) !== undefined);
  if (!still) return false;
  await destroySandbox(ctx, id);
  return true;
}

/** undefined: no marker; null: a marker that cannot be read. */
function readMarker(l: SandboxLayout): Marker | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(markerOf(l), "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? undefined : null;
  }
  try {
    const m = JSON.parse(text) as Marker;
    return typeof m.snapshotId === "string" && typeof m.fingerprint === "string" && typeof m.bytes === "number" ? m : null;
  } catch {
    return null;
  }
}

/** What identifies the writable area as it is now, and the disk space it takes; null without files. */
async function fingerprint(l: SandboxLayout): Promise<{ value: string; bytes: number } | null> {
  if (fs.existsSync(l.diskImage)) {
    if (await isMountPoint(l.disk)) return null; // in use: not a cache
    // The loop device finishes its writes (and the image's mtime) after umount returns: wait for
    // it to let go of the image, so the times are final.
    await loopReleased(l.diskImage);
    const image = fs.statSync(l.diskImage, { bigint: true });
    return { value: `image:${image.ino}:${image.size}:${image.mtimeNs}:${image.ctimeNs}`, bytes: Number(image.blocks) * 512 };
  }
  const hash = createHash("sha256");
  let bytes = 0;
  let count = 0;
  for (const top of [l.upper, l.workspace]) {
    const stack = ["."];
    if (!fs.existsSync(top)) return null;
    while (stack.length) {
      const rel = stack.pop()!;
      const abs = rel === "." ? top : path.join(top, rel);
      const st = fs.lstatSync(abs, { bigint: true });
      if (++count > MAX_WALK_ENTRIES) return null;
      bytes += Number(st.blocks) * 512;
      hash.update(`${top}\0${rel}\0${st.ino}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}\n`);
      if (st.isDirectory()) for (const name of fs.readdirSync(abs).sort().reverse()) stack.push(rel === "." ? name : `${rel}/${name}`);
    }
  }
  return { value: `tree:${hash.digest("hex")}`, bytes };
}

const LOOP_RELEASE_MS = 3_000;

/** Waits (bounded) until no loop device is backed by `image` (/sys/block/loop*\/loop/backing_file). */
async function loopReleased(image: string): Promise<void> {
  const deadline = Date.now() + LOOP_RELEASE_MS;
  for (;;) {
    const busy = fs.readdirSync("/sys/block").some((dev) => {
      if (!dev.startsWith("loop")) return false;
      try {
        return fs.readFileSync(`/sys/block/${dev}/loop/backing_file`, "utf8").trim() === image;
      } catch {
        return false;
      }
    });
    if (!busy || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}
