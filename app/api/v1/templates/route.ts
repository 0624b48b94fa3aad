import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createTemplate, listTemplates } from "@/lib/templates/templates";

export const GET = withApi(endpoints.listTemplates, ({ ctx }) => listTemplates({ ctx }));
export const POST = withApi(endpoints.createTemplate, ({ ctx, body }) => createTemplate({ ctx, input: body }));
