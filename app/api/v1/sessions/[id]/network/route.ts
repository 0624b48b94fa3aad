import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { changeSessionNetwork } from "@/lib/sessions";

export const PATCH = withApi(endpoints.changeSessionNetwork, ({ ctx, params, body }) => changeSessionNetwork({ ctx, input: { id: params.id, network: body } }));
