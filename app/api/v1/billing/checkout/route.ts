import { endpoints } from "@/lib/api/endpoints";
import { publicBaseUrl } from "@/lib/api/public-url";
import { withApi } from "@/lib/api/with-api";
import { startCheckout } from "@/lib/billing/stripe";

export const POST = withApi(endpoints.startCheckout, ({ req, ctx, body }) => startCheckout({ ctx, input: body, consoleBaseUrl: publicBaseUrl(req) }));
