import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { changeMemberRole, removeMember } from "@/lib/members";

export const PATCH = withApi(endpoints.updateMember, ({ ctx, params, body }) => changeMemberRole({ ctx, input: { id: params.id, role: body.role } }));
export const DELETE = withApi(endpoints.removeMember, ({ ctx, params }) => removeMember({ ctx, input: { id: params.id } }));
