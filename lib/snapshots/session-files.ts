// A session's files (overlay upper layer + /workspace) to and from the snapshot store, with the
// Snapshot row that records them. Used by the runner (system actor) for hibernate, wake and fork.
import path from "node:path";
import { AppError } from "../api/errors";
import { db } from "../db/client";
import { env, snapshotS3Config } from "../env";
import { newId } from "../ids";
import type { SandboxPaths } from "../sandbox";
import { createLocalDirStore, createS3Store, restoreSnapshot, SnapshotCorruptError, writeSnapshot, type BlobStore } from "./store";

let store: BlobStore | undefined;
export function snapshotStore(): BlobStore {
  const s3 = snapshotS3Config();
  store ??= s3 ? createS3Store(s3) : createLocalDirStore(path.resolve(env.DATA_DIR, "snapshots"));
  return store;
}

type SessionRef = { id: string; tenantId: string; snapshotId: string | null; retentionDays: number };

export async function snapshotSessionFiles(session: SessionRef, paths: SandboxPaths, reason: "hibernate" | "manual", log?: (message: string) => void) {
  // The parent's manifest lets the store skip files that did not change since the last snapshot.
  const parent = session.snapshotId ? await db().snapshot.findUnique({ where: { id: session.snapshotId }, select: { manifestHash: true } }) : null;
  const written = await writeSnapshot({ store: snapshotStore(), trees: { upper: paths.upper, workspace: paths.workspace }, parent: parent?.manifestHash ?? null, idMap: paths.idMap });
  log?.(`session ${session.id}: snapshot written in ${written.durationMs} ms (${Object.entries(written.stepsMs).map(([k, v]) => `${k} ${v}`).join(", ")}; ${written.files} files, ${written.newBlobs} new)`);
  return db().snapshot.create({
    data: {
      id: newId("snp"),
      tenantId: session.tenantId,
      sessionId: session.id,
      parentId: session.snapshotId,
      kind: "filesystem",
      reason,
      status: "ready",
      manifestHash: written.manifestHash,
      logicalBytes: BigInt(written.logicalBytes),
      storedBytes: BigInt(written.storedBytes),
      fileCount: written.files,
      expiresAt: reason === "hibernate" ? new Date(Date.now() + session.retentionDays * 86_400_000) : null,
    },
  });
}

export async function restoreSessionFiles(snapshotId: string, paths: SandboxPaths) {
  const snapshot = await db().snapshot.findUnique({ where: { id: snapshotId } });
  if (!snapshot?.manifestHash || snapshot.status !== "ready") {
    throw new AppError("conflict", `Snapshot ${snapshotId} is not available (${snapshot?.status ?? "deleted"})`);
  }
  try {
    return await restoreSnapshot({ store: snapshotStore(), manifestHash: snapshot.manifestHash, targets: { upper: paths.upper, workspace: paths.workspace }, idMap: paths.idMap });
  } catch (err) {
    if (err instanceof SnapshotCorruptError) {
      await db().snapshot.update({ where: { id: snapshotId }, data: { status: "corrupt" } });
    }
    throw err;
  }
}
