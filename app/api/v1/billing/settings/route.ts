import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { updateBillingSettings } from "@/lib/billing";

export const PATCH = withApi(endpoints.updateBillingSettings, ({ ctx, body }) => updateBillingSettings({ ctx, input: body }));
