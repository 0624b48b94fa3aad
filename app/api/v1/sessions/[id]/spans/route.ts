import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listSessionSpans } from "@/lib/telemetry";

export const GET = withApi(endpoints.listSessionSpans, ({ ctx, query, params }) => listSessionSpans({ ctx, input: { ...query, id: params.id } }));
