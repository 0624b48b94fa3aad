import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { getBillingSummary } from "@/lib/billing";

export const GET = withApi(endpoints.getBillingSummary, ({ ctx }) => getBillingSummary({ ctx }));
