import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { getCurrentTenant, updateTenant } from "@/lib/tenants";

export const GET = withApi(endpoints.getTenant, ({ ctx }) => getCurrentTenant({ ctx }));
export const PATCH = withApi(endpoints.updateTenant, ({ ctx, body }) => updateTenant({ ctx, input: body }));
