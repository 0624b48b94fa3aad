import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { callRunner } from "../runners/runner-client";
import { ensureSessionRunning } from "./ensure-running";

export const MAX_FILE_BYTES = 100 * 1024 * 1024;

function checkPath(path: string | null): string {
  if (!path || !path.startsWith("/") || path.includes("\0") || path.length > 4096) {
    throw new AppError("invalid_request", "path must be an absolute path inside the sandbox", { details: { fields: [{ path: "query.path", message: "absolute path required" }] } });
  }
  return path;
}

export async function readSessionFile(ctx: TenantContext, sessionId: string, path: string | null): Promise<Response> {
  const p = checkPath(path);
  const { runner } = await ensureSessionRunning(ctx, sessionId);
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
