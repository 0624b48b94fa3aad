import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { callRunner } from "../runners/runner-client";
import { ensureSessionRunning } from "./ensure-running";
import type { ExecInput } from "./schemas";

export type ExecEvent =
  | { type: "output"; stream: "stdout" | "stderr"; data: string }
  | { type: "exit"; exitCode: number; stdout: string; stderr: string; durationMs: number; timedOut: boolean; truncated: boolean; execId?: string }
  | { type: "error"; code: string; message: string };

/** Runs a command in the session (waking it first), yielding output as it comes and then the exit. */
export async function* execInSession(ctx: TenantContext, sessionId: string, input: ExecInput, stream: boolean): AsyncGenerator<ExecEvent> {
  const { runner } = await ensureSessionRunning(ctx, sessionId);
  const res = await callRunner(runner.address, `/internal/sessions/${sessionId}/exec`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // Who asked, so a runner that dies mid-exec can still write this exec's audit row when it restarts.
    body: JSON.stringify({ ...input, stream, audit: { actor: ctx.actor, ip: ctx.ip } }),
    timeoutMs: input.timeoutMs + 30_000,
  });
  let exit: Extract<ExecEvent, { type: "exit" }> | null = null;
  for await (const event of runnerEvents(res)) {
    if (event.type === "exit") exit = event;
    if (event.type === "error") throw new AppError("unavailable", `exec failed on the runner: ${event.message}`, { headers: { "Retry-After": "2" } });
    yield event;
  }
  if (!exit) throw runnerLost();
  await recordAuditEvent(ctx, {
    action: "session.exec", targetType: "session", targetId: sessionId,
    metadata: { command: input.command.join(" ").slice(0, 1000), exitCode: exit.exitCode, durationMs: exit.durationMs, timedOut: exit.timedOut, execId: exit.execId },
  });
}

const runnerLost = () =>
  new AppError("unavailable", "The session's runner went away during the exec; the command's outcome is unknown. The session is being repaired; retry", {
    headers: { "Retry-After": "2" },
  });

/** The runner's NDJSON answer as events; a connection cut mid-stream is the runner being lost. */
async function* runnerEvents(res: Response): AsyncGenerator<ExecEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        yield JSON.parse(line) as ExecEvent;
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw runnerLost();
  }
}

export async function execAndWait(ctx: TenantContext, sessionId: string, input: ExecInput) {
  let exit: Extract<ExecEvent, { type: "exit" }> | undefined;
  for await (const event of execInSession(ctx, sessionId, input, false)) if (event.type === "exit") exit = event;
  const { type: _, ...result } = exit!;
  return result;
}
