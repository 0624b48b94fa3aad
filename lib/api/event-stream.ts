// Server-sent events from an async generator: one `event:` per item, an `error` event if it
// throws, and heartbeat comments so proxies keep the stream open. When the client goes away the
// stream is cancelled: `onCancel` lets the producer stop its work (an exec kills its process).
import { AppError } from "./errors";
import { formatJsonEvent, HEARTBEAT_COMMENT } from "./sse";

const HEARTBEAT_MS = 15_000;

export function eventStream(events: AsyncIterable<{ type: string }>, requestId: string, opts: { onCancel?: () => void } = {}): Response {
  const encoder = new TextEncoder();
  let heartbeat: NodeJS.Timeout | undefined;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const enqueue = (text: string) => {
        if (!cancelled) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown) => enqueue(formatJsonEvent(event, data));
      heartbeat = setInterval(() => enqueue(HEARTBEAT_COMMENT), HEARTBEAT_MS);
      try {
        for await (const event of events) send(event.type, event);
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError("internal", "The stream failed");
        send("error", { error: { code: e.code, message: e.message }, requestId });
      } finally {
        clearInterval(heartbeat);
        if (!cancelled) controller.close();
      }
    },
    cancel() {
      cancelled = true;
      clearInterval(heartbeat);
      opts.onCancel?.();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" } });
}
