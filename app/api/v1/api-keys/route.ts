import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createApiKey, listApiKeys } from "@/lib/keys";

export const GET = withApi(endpoints.listApiKeys, ({ ctx, query }) => listApiKeys({ ctx, input: query }));
export const POST = withApi(endpoints.createApiKey, ({ ctx, body }) => createApiKey({ ctx, input: body }));
