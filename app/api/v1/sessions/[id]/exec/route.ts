import { endpoints } from "@/lib/api/endpoints";
import { eventStream } from "@/lib/api/event-stream";
import { withApi } from "@/lib/api/with-api";
import { execAndWait, execInSession } from "@/lib/sessions";

export const POST = withApi(endpoints.execInSession, async ({ ctx, params, body, req }) => {
  if (!req.headers.get("accept")?.includes("text/event-stream")) return execAndWait(ctx, params.id, body);
  return eventStream(execInSession(ctx, params.id, body, true), ctx.requestId);
});
