import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { revokeApiKey } from "@/lib/keys";

export const DELETE = withApi(endpoints.revokeApiKey, ({ ctx, params }) => revokeApiKey({ ctx, input: { id: params.id } }));
