import { endpoints } from "@/lib/api/endpoints";
import { publicBaseUrl } from "@/lib/api/public-url";
import { withApi } from "@/lib/api/with-api";
import { createInvitation, listPendingInvitations } from "@/lib/members";

export const GET = withApi(endpoints.listInvitations, ({ ctx }) => listPendingInvitations({ ctx }));
export const POST = withApi(endpoints.createInvitation, ({ ctx, body, req }) =>
  createInvitation({ ctx, input: body, baseUrl: publicBaseUrl(req) }),
);
