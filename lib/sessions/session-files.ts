import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { callRunner } from "../runners/runner-client";
import { readSleepingSessionFile } from "../snapshots/sleeping-session-file";
import { hasScopes } from "../auth/scopes";
import { ensureSessionRunning, isSessionAsleep, sessionAsleepError } from "./ensure-running";
import { getSessionRowOrThrow } from "./read-sessions";
import { MAX_FILE_BYTES } from "./schemas";

/** Set on a file read from a sleeping session's snapshot (not from the live sandbox). */
export const SNAPSHOT_ID_HEADER = "x-burrow-snapshot-id";


function checkPath(path: string | null): string {
  if (!path || !path.startsWith("/") || path.includes("\0") || path.length > 4096) {
    throw new AppError("invalid_request", "path must be an absolute path inside the sandbox", { details: { fields: [{ path: "query.path", message: "absolute path required" }] } });
  }
  return path;
}

/** A read never wakes a session for a caller without sessions:write: a hibernated session's file
 * comes from its latest snapshot (SNAPSHOT_ID_HEADER says which), anything else asleep is a 409. */
export async function readSessionFile(ctx: TenantContext, sessionId: string, path: string | null): Promise<Response> {
  const p = checkPath(path);
  const mayWake = hasScopes(ctx.scopes, ["sessions:write"]);
  if (!mayWake) {
    const row = await getSessionRowOrThrow(ctx.db, sessionId);
    if (isSessionAsleep(row)) {
      const data = row.state === "hibernated" && row.snapshotId ? await readSleepingSessionFile(ctx, row.snapshotId, p, MAX_FILE_BYTES) : null;
      if (data) return new Response(new Uint8Array(data), { headers: { [SNAPSHOT_ID_HEADER]: row.snapshotId! } });
      throw sessionAsleepError(row.state, row.state === "hibernated" ? ` (${p} is not among the files its snapshot holds: /workspace and what the session changed)` : "");
    }
  }
  const { runner } = await ensureSessionRunning(ctx, sessionId, { wake: mayWake });
  return callRunner(runner.address, `/internal/sessions/${sessionId}/files?path=${encodeURIComponent(p)}`, { method: "GET" });
}

export async function writeSessionFile(ctx: TenantContext, sessionId: string, path: string | null, body: Uint8Array) {
  const p = checkPath(path);
  if (body.byteLength > MAX_FILE_BYTES) throw new AppError("payload_too_large", `Files are at most ${MAX_FILE_BYTES} bytes`);
  const { runner } = await ensureSessionRunning(ctx, sessionId);
  const res = await callRunner(runner.address, `/internal/sessions/${sessionId}/files?path=${encodeURIComponent(p)}`, { method: "PUT", body: body as BodyInit });
  await recordAuditEvent(ctx, { action: "session.file_written", targetType: "session", targetId: sessionId, metadata: { path: p, size: body.byteLength } });
  return (await res.json()) as { path: string; size: number };
}
