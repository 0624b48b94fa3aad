import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listInvoices } from "@/lib/billing/stripe";

export const GET = withApi(endpoints.listInvoices, ({ ctx, query }) => listInvoices({ ctx, input: query }));
