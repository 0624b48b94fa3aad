import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { revokeInvitation } from "@/lib/members";

export const DELETE = withApi(endpoints.revokeInvitation, ({ ctx, params }) => revokeInvitation({ ctx, input: { id: params.id } }));
