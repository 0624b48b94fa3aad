import { endpoints } from "@/lib/api/endpoints";
import { publicBaseUrl } from "@/lib/api/public-url";
import { withApi } from "@/lib/api/with-api";
import { openCustomerPortal } from "@/lib/billing/stripe";

export const POST = withApi(endpoints.openBillingPortal, ({ req, ctx }) => openCustomerPortal({ ctx, consoleBaseUrl: publicBaseUrl(req) }));
