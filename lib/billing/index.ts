// The billing concern's import surface (Stripe is under ./stripe and has its own).
export { billingPeriodOf, isInPeriod } from "./billing-period";
export { type BillingPeriod, type CostLine, type MeterPrice, type PeriodCost, forecastUsage, priceUsage } from "./cost-math";
export { computePeriodCost, computePeriodCostWithForecast } from "./compute-period-cost";
export { enforceSpendLimits } from "./enforce-spend-limits";
export { getBillingSummary } from "./get-billing-summary";
export { DEFAULT_PLAN_ID, findPlan, getTenantPlan, listPlans, type PricedPlan } from "./price-book";
export { listPlansForApi } from "./list-plans";
export { setTenantPlan } from "./set-tenant-plan";
export { assertWakeWithinSpendLimit, assertWithinSpendLimit, BUDGET_THRESHOLDS, TENANT_SCOPE } from "./spend-limit";
export { updateBillingSettings } from "./update-billing-settings";
export * from "./schemas";
