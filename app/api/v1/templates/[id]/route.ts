import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { deleteTemplate, getTemplate, updateTemplate } from "@/lib/templates/templates";

export const GET = withApi(endpoints.getTemplate, ({ ctx, params }) => getTemplate({ ctx, input: { id: params.id } }));
export const PATCH = withApi(endpoints.updateTemplate, ({ ctx, params, body }) => updateTemplate({ ctx, input: { id: params.id, patch: body } }));
export const DELETE = withApi(endpoints.deleteTemplate, ({ ctx, params }) => deleteTemplate({ ctx, input: { id: params.id } }));
