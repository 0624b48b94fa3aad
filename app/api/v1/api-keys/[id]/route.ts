import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { revokeApiKey, updateApiKey } from "@/lib/keys";

export const DELETE = withApi(endpoints.revokeApiKey, ({ ctx, params }) => revokeApiKey({ ctx, input: { id: params.id } }));
export const PATCH = withApi(endpoints.updateApiKey, ({ ctx, params, body }) => updateApiKey({ ctx, input: { id: params.id, ...body } }));
