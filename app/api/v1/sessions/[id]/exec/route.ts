import { endpoints } from "@/lib/api/endpoints";
import { eventStream } from "@/lib/api/event-stream";
import { withApi } from "@/lib/api/with-api";
import { execAndWait, execInSession } from "@/lib/sessions";

// A client that disconnects stops its exec: req.signal aborts when the connection closes, and a
// cancelled event stream aborts too.
export const POST = withApi(endpoints.execInSession, async ({ ctx, params, body, req }) => {
  if (!req.headers.get("accept")?.includes("text/event-stream")) return execAndWait(ctx, params.id, body, req.signal);
  const streamCancelled = new AbortController();
  const signal = AbortSignal.any([req.signal, streamCancelled.signal]);
  return eventStream(execInSession(ctx, params.id, body, true, signal), ctx.requestId, { onCancel: () => streamCancelled.abort() });
});
