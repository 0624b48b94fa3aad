import { endpoints } from "@/lib/api/endpoints";
import { eventStream } from "@/lib/api/event-stream";
import { withApi } from "@/lib/api/with-api";
import { execAndWait, startExec } from "@/lib/sessions";

// A client that disconnects stops its exec: req.signal aborts when the connection closes, and a
// cancelled event stream aborts too. The stream opens only once the exec has started: a refusal
// (unknown or another tenant's session 404, terminated 409, quota 429, spend limit 402) is a
// plain JSON error with its status, never a 200 stream holding an error event.
export const POST = withApi(endpoints.execInSession, async ({ ctx, params, body, req }) => {
  if (!req.headers.get("accept")?.includes("text/event-stream")) return execAndWait(ctx, params.id, body, req.signal);
  const streamCancelled = new AbortController();
  const signal = AbortSignal.any([req.signal, streamCancelled.signal]);
  const events = await startExec(ctx, params.id, body, true, signal);
  return eventStream(events, ctx.requestId, { onCancel: () => streamCancelled.abort() });
});
