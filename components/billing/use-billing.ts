"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMe, useTenantApi } from "../console/console-context";
import type { BillingSummary, CheckoutAnswer, PlanList, PortalLink, UsageAnswer, UsageGroupBy } from "./billing-types";

/** Usage so far is as fresh as the last rollup (about a minute); the summary follows it. */
const SUMMARY_REFRESH_MS = 60_000;

export function useCanReadBilling(): boolean {
  return useMe().data.scopes.includes("billing:read");
}

/** GET /billing/summary; the billing page and the console banner share this one query. */
export function useBillingSummary({ enabled = true }: { enabled?: boolean } = {}) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("billing", "summary"),
    queryFn: () => api.get<BillingSummary>("/billing/summary"),
    refetchInterval: SUMMARY_REFRESH_MS,
    enabled,
  });
}

export function useBillingPlans() {
  const { api, key } = useTenantApi();
  return useQuery({ queryKey: key("billing", "plans"), queryFn: () => api.get<PlanList>("/billing/plans") });
}

/** GET /usage per day over the billing period, grouped as asked. */
export function useUsage(groupBy: UsageGroupBy, period: { start: string; end: string } | undefined) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("billing", "usage", groupBy, period?.start, period?.end),
    queryFn: () => api.get<UsageAnswer>("/usage", { from: period!.start, to: period!.end, granularity: "day", groupBy }),
    enabled: Boolean(period),
    refetchInterval: SUMMARY_REFRESH_MS,
    placeholderData: (previous) => previous,
  });
}

/** Everything billing shows changes together: a new plan or limit refetches all of it. */
export function useRefreshBilling() {
  const { key } = useTenantApi();
  const queryClient = useQueryClient();
  return () => Promise.all([
    queryClient.invalidateQueries({ queryKey: key("billing") }),
    queryClient.invalidateQueries({ queryKey: key("billing-invoices") }),
  ]);
}

/** PATCH /billing/settings. */
export function useSaveSpendLimit() {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const refresh = useRefreshBilling();
  return useMutation({
    mutationFn: (spendLimitCents: number | string | null) => api.patch<BillingSummary>("/billing/settings", { spendLimitCents }),
    onSuccess: (summary) => {
      if (isSummary(summary)) queryClient.setQueryData(key("billing", "summary"), summary);
      void refresh();
    },
  });
}

/** POST /billing/checkout: Stripe answers with a page to go to; local billing changes the plan at once. */
export function useChangePlan() {
  const { api } = useTenantApi();
  const refresh = useRefreshBilling();
  return useMutation({
    mutationFn: (planId: string) => api.post<CheckoutAnswer>("/billing/checkout", { planId }),
    onSuccess: (answer) => {
      if ("url" in answer) window.location.assign(answer.url);
      else void refresh();
    },
  });
}

/** POST /billing/portal: Stripe's customer portal for payment methods and invoices. */
export function useOpenPortal() {
  const { api } = useTenantApi();
  return useMutation({
    mutationFn: () => api.post<PortalLink>("/billing/portal", {}),
    onSuccess: (answer) => window.location.assign(answer.url),
  });
}

function isSummary(value: unknown): value is BillingSummary {
  const v = value as Partial<BillingSummary> | null;
  return typeof v?.totalCents === "number" && Array.isArray(v?.lines) && typeof v?.mode === "string";
}
