// Server-sent events from an async generator: one `event:` per item, an `error` event if it
// throws, and heartbeat comments so proxies keep the stream open.
import { AppError } from "./errors";

const HEARTBEAT_MS = 15_000;

export function eventStream(events: AsyncIterable<{ type: string }>, requestId: string): Response {
  const encoder = new TextEncoder();
  let heartbeat: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(": heartbeat\n\n")), HEARTBEAT_MS);
      try {
        for await (const event of events) send(event.type, event);
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError("internal", "The stream failed");
        send("error", { error: { code: e.code, message: e.message }, requestId });
      } finally {
        clearInterval(heartbeat);
        controller.close();
      }
    },
    cancel() {
      clearInterval(heartbeat);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" } });
}
