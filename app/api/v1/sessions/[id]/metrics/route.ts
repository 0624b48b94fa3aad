import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { readSessionMetrics } from "@/lib/metrics";

export const GET = withApi(endpoints.getSessionMetrics, ({ ctx, params, query }) => readSessionMetrics({ ctx, input: { id: params.id, ...query } }));
