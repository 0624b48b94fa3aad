// GET /api/v1/billing/plans: the price book as the API shows it.
import { listPlans } from "./price-book";

export async function listPlansForApi() {
  const plans = await listPlans();
  return { data: plans.map(({ id, name, monthlyFeeCents, prices, quotas }) => ({ id, name, monthlyFeeCents, prices, quotas })) };
}
