import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { readUsage } from "@/lib/usage";

export const GET = withApi(endpoints.getUsage, ({ ctx, query }) => readUsage({ ctx, input: query }));
