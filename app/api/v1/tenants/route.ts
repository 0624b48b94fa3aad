import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createTenant, listMyTenants } from "@/lib/tenants";

export const GET = withApi(endpoints.listMyTenants, ({ ctx }) => listMyTenants({ ctx }));
export const POST = withApi(endpoints.createTenant, ({ ctx, body }) => createTenant({ ctx, input: body }));
