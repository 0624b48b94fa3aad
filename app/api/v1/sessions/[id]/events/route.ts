import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { followSession, listSessionEvents } from "@/lib/sessions";

export const GET = withApi(endpoints.listSessionEvents, ({ ctx, params, query, req }) => {
  const live = query.follow ?? Boolean(req.headers.get("accept")?.includes("text/event-stream"));
  if (live) return followSession({ ctx, input: { id: params.id } });
  return listSessionEvents({ ctx, input: { id: params.id } });
});
