import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { getCurrentTenant, renameTenant } from "@/lib/tenants";

export const GET = withApi(endpoints.getTenant, ({ ctx }) => getCurrentTenant({ ctx }));
export const PATCH = withApi(endpoints.updateTenant, ({ ctx, body }) => renameTenant({ ctx, input: body }));
