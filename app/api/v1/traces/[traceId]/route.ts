import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { getTrace } from "@/lib/telemetry";

export const GET = withApi(endpoints.getTrace, ({ ctx, params }) => getTrace({ ctx, input: { traceId: params.traceId } }));
