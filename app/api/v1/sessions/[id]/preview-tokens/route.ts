import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createPreviewToken } from "@/lib/preview";

export const POST = withApi(endpoints.createPreviewToken, ({ ctx, params, body }) =>
  createPreviewToken({ ctx, input: { sessionId: params.id, expiresInSeconds: body.expiresInSeconds } }));
