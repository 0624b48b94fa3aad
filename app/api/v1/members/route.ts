import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listMembers } from "@/lib/members";

export const GET = withApi(endpoints.listMembers, ({ ctx, query }) => listMembers({ ctx, input: query }));
