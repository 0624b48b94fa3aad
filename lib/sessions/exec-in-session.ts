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

/** The runner's first line (not passed on): the exec's id, known before any output. */
type RunnerEvent = ExecEvent | { type: "start"; execId: string };

/**
 * Starts a command in the session (waking it first) and returns its events: output as it comes,
 * then the exit. Everything that can refuse the exec (the session's lookup and state, quota and
 * spend limit on a wake, the runner's own checks) runs here, before the first event, and throws
 * AppError: a caller that streams the events opens its stream only after this resolves, so a
 * refusal keeps its real status. The runner's first line (`start`, the exec's id) is read here too.
 *
 * `signal` is the caller's connection: when it aborts (the client disconnected), the call to the
 * runner is cut, the runner kills the exec's process tree and logs why, the audit row is written
 * (clientDisconnected, no exit code) and the events end without an exit.
 */
export async function startExec(ctx: TenantContext, sessionId: string, input: ExecInput, stream: boolean, signal?: AbortSignal): Promise<AsyncGenerator<ExecEvent>> {
  const { runner } = await ensureSessionRunning(ctx, sessionId);
  const audit = (metadata: Record<string, unknown>) =>
    recordAuditEvent(ctx, { action: "session.exec", targetType: "session", targetId: sessionId, metadata: { command: input.command.join(" ").slice(0, 1000), ...metadata } });
  let lines: AsyncGenerator<RunnerEvent>;
  let first: IteratorResult<RunnerEvent>;
  try {
    const res = await callRunner(runner.address, `/internal/sessions/${sessionId}/exec`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Who asked, so a runner that dies mid-exec can still write this exec's audit row when it restarts.
      body: JSON.stringify({ ...input, stream, audit: { actor: ctx.actor, ip: ctx.ip } }),
      timeoutMs: input.timeoutMs + 30_000,
      signal,
    });
    lines = runnerEvents(res);
    first = await lines.next();
  } catch (err) {
    if (!signal?.aborted) throw err;
    await audit({ clientDisconnected: true });
    return noEvents();
  }
  if (first.done) throw runnerLost();
  if (first.value.type === "error") throw runnerFailed(first.value.message);
  const execId = first.value.type === "start" ? first.value.execId : undefined;
  return relayExec(first.value.type === "start" ? lines : prepend(first.value, lines), execId, audit, signal);
}

async function* relayExec(
  lines: AsyncGenerator<RunnerEvent>, execId: string | undefined, audit: (metadata: Record<string, unknown>) => Promise<unknown>, signal?: AbortSignal,
): AsyncGenerator<ExecEvent> {
  let exit: Extract<ExecEvent, { type: "exit" }> | null = null;
  try {
    for await (const event of lines) {
      if (event.type === "start") continue;
      if (event.type === "exit") exit = event;
      if (event.type === "error") throw runnerFailed(event.message);
      yield event;
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  if (!exit && signal?.aborted) {
    await audit({ clientDisconnected: true, execId });
    return;
  }
  if (!exit) throw runnerLost();
  await audit({ exitCode: exit.exitCode, durationMs: exit.durationMs, timedOut: exit.timedOut, execId: exit.execId });
}

async function* noEvents(): AsyncGenerator<ExecEvent> {}

async function* prepend(first: RunnerEvent, rest: AsyncGenerator<RunnerEvent>): AsyncGenerator<RunnerEvent> {
  yield first;
  yield* rest;
}

const runnerFailed = (message: string) => new AppError("unavailable", `exec failed on the runner: ${message}`, { headers: { "Retry-After": "2" } });

const runnerLost = () =>
  new AppError("unavailable", "The session's runner went away during the exec; the command's outcome is unknown. The session is being repaired; retry", {
    headers: { "Retry-After": "2" },
  });

/** The runner's NDJSON answer as events; a connection cut mid-stream is the runner being lost. */
async function* runnerEvents(res: Response): AsyncGenerator<RunnerEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        yield JSON.parse(line) as RunnerEvent;
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw runnerLost();
  }
}

/** The exec's result. With its client gone (signal aborted) there is none: the error goes nowhere. */
export async function execAndWait(ctx: TenantContext, sessionId: string, input: ExecInput, signal?: AbortSignal) {
  let exit: Extract<ExecEvent, { type: "exit" }> | undefined;
  for await (const event of await startExec(ctx, sessionId, input, false, signal)) if (event.type === "exit") exit = event;
  if (!exit) throw new AppError("unavailable", "The exec was stopped: its client disconnected");
  const { type: _, ...result } = exit;
  return result;
}
