import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listPlansForApi } from "@/lib/billing";

export const GET = withApi(endpoints.listPlans, () => listPlansForApi());
