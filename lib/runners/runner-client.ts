// Calls from the web app to the runner that owns a session (exec, files, snapshots), over HTTP
// with the shared secret. Runner answers are NDJSON for exec so output can stream.
import { AppError } from "../api/errors";
import { env } from "../env";
import { activeSpan } from "../telemetry/platform-span";

export const RUNNER_SECRET_HEADER = "x-burrow-runner-secret";

export function runnerSecret(): string {
  if (!env.RUNNER_SECRET) throw new Error("RUNNER_SECRET is not set (npm start creates one under DATA_DIR)");
  return env.RUNNER_SECRET;
}

export async function callRunner(
  address: string,
  path: string,
  init: { method: string; body?: BodyInit; headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal },
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs ?? 120_000);
  let res: Response;
  try {
    res = await fetch(`${address}${path}`, {
      method: init.method,
      body: init.body,
      // The runner's span for this call continues the active (request) span.
      headers: { ...init.headers, [RUNNER_SECRET_HEADER]: runnerSecret(), ...(activeSpan() ? { traceparent: activeSpan()!.traceparent() } : {}) },
      // The caller's signal (its client went away) cuts the call, and the runner stops the work.
      signal: init.signal ? AbortSignal.any([timeout, init.signal]) : timeout,
      // @ts-expect-error Node's fetch needs this to stream a request body.
      duplex: "half",
    });
  } catch (err) {
    throw new AppError("unavailable", "The session's runner did not answer; retry shortly", {
      details: { reason: "runner_unreachable", cause: (err as Error).message },
      headers: { "Retry-After": "2" },
    });
  }
  if (res.status >= 400) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null;
    const code = body?.error?.code;
    const known = code === "invalid_request" || code === "not_found" || code === "conflict" || code === "payload_too_large";
    throw new AppError(known ? code : "unavailable", body?.error?.message ?? `runner answered ${res.status}`, {
      details: body?.error?.details,
      ...(known ? {} : { headers: { "Retry-After": "2" } }),
    });
  }
  return res;
}
