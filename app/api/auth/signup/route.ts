import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { signUp } from "@/lib/tenants";

export const POST = withApi(endpoints.signUp, ({ body, ctx }) => signUp({ input: body, ip: ctx.ip }));
