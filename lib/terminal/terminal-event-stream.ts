// The runner's NDJSON terminal events as server-sent events for the browser:
//   event: output  id: <byte offset after this chunk>  data: {"offset", "data": base64}
//   event: gap     data: {"from", "to"}     (bytes that fell out of the runner's buffer)
//   event: closed  data: {"reason", "exitCode"}, then the stream ends
//   event: error   data: {"error": {...}}  when the runner connection broke (reconnect to resume)
// Pulled, not pushed: a slow browser slows the read from the runner, which slows the shell, so no
// layer buffers without bound. Heartbeat comments come from the runner every 15 s.
import { formatComment, formatJsonEvent, HEARTBEAT_COMMENT } from "../api/sse";
import type { TerminalEvent } from "./terminal-registry";

const encoder = new TextEncoder();

export function sseOfTerminalEvent(event: TerminalEvent): string {
  switch (event.type) {
    case "output":
      return formatJsonEvent("output", { offset: event.offset, data: event.data }, event.offset + Buffer.byteLength(event.data, "base64"));
    case "gap":
      return formatJsonEvent("gap", { from: event.from, to: event.to });
    case "closed":
      return formatJsonEvent("closed", { reason: event.reason, exitCode: event.exitCode });
    case "heartbeat":
      return HEARTBEAT_COMMENT;
  }
}

export function terminalEventStream(runnerResponse: Response, requestId: string): Response {
  const reader = runnerResponse.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Sent at once so the browser knows the stream is open before the shell says anything.
      controller.enqueue(encoder.encode(formatComment("open")));
    },
    async pull(controller) {
      if (finished) return;
      let out = "";
      try {
        while (!out && !finished) {
          const { value, done } = await reader.read();
          if (done) {
            // The runner ended the stream without a `closed` event: it went away.
            out += runnerLost(requestId);
            finished = true;
            break;
          }
          buffered += decoder.decode(value, { stream: true });
          let nl: number;
          while (!finished && (nl = buffered.indexOf("\n")) >= 0) {
            const event = JSON.parse(buffered.slice(0, nl)) as TerminalEvent;
            buffered = buffered.slice(nl + 1);
            out += sseOfTerminalEvent(event);
            if (event.type === "closed") finished = true;
          }
        }
      } catch {
        out += runnerLost(requestId);
        finished = true;
      }
      if (out) controller.enqueue(encoder.encode(out));
      if (finished) {
        controller.close();
        void reader.cancel().catch(() => {});
      }
    },
    cancel() {
      finished = true;
      void reader.cancel().catch(() => {});
    },
  });
  // no-transform: the server's gzip would hold keystroke echoes back in its buffer (and keep zlib state per viewer).
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" } });
}

const runnerLost = (requestId: string) =>
  formatJsonEvent("error", { error: { code: "unavailable", message: "The connection to the session's runner broke; reconnect to resume" }, requestId });
