import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { readConcurrency } from "@/lib/metrics";

export const GET = withApi(endpoints.getSessionConcurrency, ({ ctx, query }) => readConcurrency({ ctx, input: query }));
