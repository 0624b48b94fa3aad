// A file of a hibernated session for a caller that may only read (a viewer, a sessions:read key):
// served from the session's latest snapshot without waking it, since a wake starts the sandbox
// (billed) and needs sessions:write. The snapshot holds /workspace whole and, of the rest, what the
// session changed (its overlay upper layer); a template's own file or a path through a symlink
// cannot be answered from it, and the caller is told to wake the session instead (null here).
import path from "node:path";
import { AppError } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { snapshotStore } from "./session-files";
import { lookupInTree, type Manifest, readManifest, readSnapshotFileEntry, SnapshotCorruptError, type TreeLookup } from "./store";

const WORKSPACE = "/workspace";

/** Where a sandbox path is in a session snapshot's trees (upper = rootfs/ and etc/, see lib/sandbox). */
export function lookupSessionPath(manifest: Manifest, sandboxPath: string): { lookup: TreeLookup; inWorkspace: boolean } {
  const p = path.posix.normalize(sandboxPath);
  const upper = manifest.trees.upper ?? [];
  if (p === WORKSPACE || p.startsWith(`${WORKSPACE}/`)) {
    const lookup = lookupInTree(manifest.trees.workspace ?? [], p.slice(WORKSPACE.length));
    // Nothing lies below the workspace bind mount: not in the tree is not in the session.
    return { lookup: lookup.kind === "absent" ? { kind: "deleted" } : lookup, inWorkspace: true };
  }
  // "host" templates have /etc as its own overlay (upper/etc); image templates keep it in rootfs.
  if (p === "/etc" || p.startsWith("/etc/")) {
    const own = lookupInTree(upper, p.slice(1));
    if (own.kind !== "absent") return { lookup: own, inWorkspace: false };
  }
  return { lookup: lookupInTree(upper, `rootfs${p}`), inWorkspace: false };
}

/** The file's bytes, or null when the snapshot cannot say what the running session would read. */
export async function readSleepingSessionFile(ctx: TenantContext, snapshotId: string, sandboxPath: string, maxBytes: number): Promise<Buffer | null> {
  if (sandboxPath.split("/").includes("..")) throw new AppError("invalid_request", `Invalid path ${JSON.stringify(sandboxPath)}: \`..\` is not allowed`);
  const snapshot = await ctx.db.snapshot.findFirst({ where: { id: snapshotId, status: "ready" } });
  if (!snapshot?.manifestHash) return null;
  try {
    const manifest = await readManifest(snapshotStore(), snapshot.manifestHash);
    const { lookup } = lookupSessionPath(manifest, sandboxPath);
    if (lookup.kind === "deleted") throw new AppError("not_found", `read ${sandboxPath}: no such file`);
    if (lookup.kind === "directory") throw new AppError("invalid_request", `read ${sandboxPath}: is a directory`);
    if (lookup.kind !== "file") return null;
    if (lookup.entry.size > maxBytes) throw new AppError("payload_too_large", `read ${sandboxPath}: larger than ${maxBytes} bytes`, { details: { maxBytes } });
    return await readSnapshotFileEntry(snapshotStore(), snapshot.manifestHash, manifest, lookup.entry);
  } catch (err) {
    // Not readable from here (another host's local store) or damaged: the wake path deals with it.
    if (err instanceof SnapshotCorruptError) return null;
    throw err;
  }
}
