// Runs a command in a session with POST /sessions/{id}/exec and Accept: text/event-stream, reading
// the server-sent events (`output`, then `exit`, or `error`) with fetch and a stream reader.
import { readEventStream } from "@/lib/api/sse";
import { ApiError, apiRaw } from "../api-client";
import type { ExecInput, ExecResult } from "../api-types";

export type { ExecInput };

export type ExecHandlers = { onOutput: (stream: "stdout" | "stderr", data: string) => void };

/** Streams output to `handlers` as it comes and resolves with the exit. */
export async function runExec(tenant: string, sessionId: string, input: ExecInput, handlers: ExecHandlers, signal?: AbortSignal): Promise<ExecResult> {
  const res = await apiRaw(`/sessions/${encodeURIComponent(sessionId)}/exec`, {
    tenant, method: "POST", signal,
    headers: { accept: "text/event-stream", "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  if (!res.headers.get("content-type")?.includes("text/event-stream") || !res.body) {
    // The JSON form: the whole answer at once.
    const result = (await res.json()) as ExecResult;
    if (result.stdout) handlers.onOutput("stdout", result.stdout);
    if (result.stderr) handlers.onOutput("stderr", result.stderr);
    return result;
  }
  for await (const { event, data } of readEventStream(res.body)) {
    const payload = JSON.parse(data) as Record<string, unknown>;
    if (event === "output") handlers.onOutput(payload.stream === "stderr" ? "stderr" : "stdout", String(payload.data ?? ""));
    else if (event === "exit") {
      const { type: _type, ...result } = payload;
      return result as ExecResult;
    } else if (event === "error") {
      const e = payload as { error?: { code?: string; message?: string }; requestId?: string };
      throw new ApiError({ status: 502, code: e.error?.code ?? "exec_failed", message: e.error?.message ?? "The command failed on the runner", requestId: e.requestId });
    }
  }
  throw new ApiError({ status: 502, code: "stream_ended", message: "The output stream ended before the command's exit; run it again" });
}
