import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listTraces } from "@/lib/telemetry";

export const GET = withApi(endpoints.listTraces, ({ ctx, query }) => listTraces({ ctx, input: query }));
