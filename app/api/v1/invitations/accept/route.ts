import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { acceptInvitation } from "@/lib/members";

export const POST = withApi(endpoints.acceptInvitation, ({ ctx, body }) => acceptInvitation({ ctx, input: body }));
