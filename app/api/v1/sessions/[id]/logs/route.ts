import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { downloadSessionLogs, followSessionLogs, readSessionLogs } from "@/lib/logs";

export const GET = withApi(endpoints.readSessionLogs, async ({ ctx, params, query, req }) => {
  const input = { sessionId: params.id, query };
  const live = query.follow ?? Boolean(req.headers.get("accept")?.includes("text/event-stream"));
  if (live) return followSessionLogs({ ctx, input: { ...input, lastEventId: req.headers.get("last-event-id") } });
  if (query.format === "text") return downloadSessionLogs({ ctx, input });
  return readSessionLogs({ ctx, input });
});
