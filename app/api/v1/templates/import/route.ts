import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { importTemplateImage } from "@/lib/templates/import-image";

export const POST = withApi(endpoints.importTemplate, ({ ctx, query, req }) => importTemplateImage({ ctx, input: { name: query.name, archive: req } }));
