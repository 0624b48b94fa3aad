// The web side of the terminal: the session is looked up in the caller's tenant (another tenant's
// id is a 404), then the call goes to the runner that holds the terminal. Nothing about a terminal
// is kept here, so any web process can serve any request of it.
import { AppError, notFound } from "../api/errors";
import { recordAuditEvent } from "../audit";
import type { TenantContext } from "../auth/context";
import { callRunner } from "../runners/runner-client";
import { getRunner } from "../runners/runner-registry";
import { ensureSessionRunning } from "../sessions/ensure-running";
import { getSessionRowOrThrow } from "../sessions/read-sessions";
import { terminalEventStream } from "./terminal-event-stream";
import { TERMINAL_ID, type OpenTerminalInput, type TerminalInput } from "./schemas";

const JSON_HEADERS = { "content-type": "application/json" };
/** Output streams stay open as long as the terminal (a session lives at most 24 h). */
const STREAM_TIMEOUT_MS = 25 * 3600_000;

/** Opens a shell in the session (waking it first, like exec). */
export async function openTerminal(ctx: TenantContext, sessionId: string, input: OpenTerminalInput) {
  const { runner } = await ensureSessionRunning(ctx, sessionId);
  const res = await callRunner(runner.address, `/internal/sessions/${sessionId}/terminals`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(input), timeoutMs: 60_000 });
  const t = (await res.json()) as { id: string; cols: number; rows: number; openedAt: string };
  await recordAuditEvent(ctx, { action: "session.terminal_opened", targetType: "session", targetId: sessionId, metadata: { terminalId: t.id, cols: t.cols, rows: t.rows } });
  return { id: t.id, sessionId, cols: t.cols, rows: t.rows, openedAt: t.openedAt };
}

/** The runner holding this session's terminals; 404 for another tenant's session or a malformed id. */
async function terminalRunner(ctx: TenantContext, sessionId: string, terminalId: string) {
  const session = await getSessionRowOrThrow(ctx.db, sessionId);
  const runner = TERMINAL_ID.test(terminalId) && session.runnerId ? await getRunner(session.runnerId) : null;
  if (!runner) throw notFound("Terminal");
  return { path: `/internal/sessions/${sessionId}/terminals/${terminalId}`, address: runner.address };
}

export async function sendTerminalInput(ctx: TenantContext, sessionId: string, terminalId: string, input: TerminalInput): Promise<void> {
  const { address, path } = await terminalRunner(ctx, sessionId, terminalId);
  const bytes = Buffer.from(input.data, input.encoding === "base64" ? "base64" : "utf8");
  if (bytes.length === 0) throw new AppError("invalid_request", "data holds no bytes");
  await callRunner(address, `${path}/input`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes, timeoutMs: 10_000 });
}

export async function resizeTerminal(ctx: TenantContext, sessionId: string, terminalId: string, size: { cols: number; rows: number }): Promise<void> {
  const { address, path } = await terminalRunner(ctx, sessionId, terminalId);
  await callRunner(address, `${path}/resize`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(size), timeoutMs: 10_000 });
}

export async function closeTerminal(ctx: TenantContext, sessionId: string, terminalId: string) {
  const { address, path } = await terminalRunner(ctx, sessionId, terminalId);
  const res = await callRunner(address, path, { method: "DELETE", timeoutMs: 30_000 });
  const closed = (await res.json()) as { id: string; reason: string };
  await recordAuditEvent(ctx, { action: "session.terminal_closed", targetType: "session", targetId: sessionId, metadata: { terminalId, reason: closed.reason } });
  return closed;
}

/**
 * The terminal's output as server-sent events, from the byte offset in Last-Event-ID (a
 * reconnecting EventSource sends it) or `after`, else from the start of what the runner holds.
 */
export async function streamTerminalOutput(ctx: TenantContext, sessionId: string, terminalId: string, from: { lastEventId: string | null; after?: number }) {
  const { address, path } = await terminalRunner(ctx, sessionId, terminalId);
  const resumed = from.lastEventId !== null && /^\d{1,15}$/.test(from.lastEventId.trim()) ? Number(from.lastEventId.trim()) : null;
  const after = resumed ?? from.after ?? 0;
  const res = await callRunner(address, `${path}/output?after=${after}`, { method: "GET", timeoutMs: STREAM_TIMEOUT_MS });
  return terminalEventStream(res, ctx.requestId);
}
