import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { getMe } from "@/lib/tenants";

export const GET = withApi(endpoints.getMe, ({ ctx }) => getMe({ ctx }));
