"use client";

import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import { ROLE_SCOPES } from "@/lib/auth/scopes";
import { tenantApi } from "../api-client";
import type { Me, MyTenant } from "../api-types";

export type ConsoleInfo = {
  /** The tenant in the URL, as the layout read it. */
  tenant: MyTenant;
  tenants: MyTenant[];
  user: { id: string; email: string };
};

const ConsoleContext = createContext<ConsoleInfo | null>(null);

export function ConsoleProvider({ value, children }: { value: ConsoleInfo; children: ReactNode }) {
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleInfo {
  const info = useContext(ConsoleContext);
  if (!info) throw new Error("useConsole must be used inside the console layout");
  return info;
}

/** Query keys are per tenant so switching tenants never shows another tenant's cached rows. */
export function useTenantApi() {
  const { tenant } = useConsole();
  return { slug: tenant.slug, api: tenantApi(tenant.slug), key: (...parts: unknown[]) => ["tenant", tenant.slug, ...parts] };
}

/**
 * GET /api/v1/me: the caller's tenant, role and scopes. Seeded from what the layout already knows
 * (the same answer the API gives a signed-in user) and refreshed in the background.
 */
export function useMe() {
  const { tenant, user } = useConsole();
  return useQuery({
    queryKey: ["tenant", tenant.slug, "me"],
    queryFn: () => tenantApi(tenant.slug).get<Me>("/me"),
    initialData: (): Me => ({
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, createdAt: tenant.createdAt },
      actor: { type: "user", id: user.id, label: user.email },
      role: tenant.role,
      scopes: [...ROLE_SCOPES[tenant.role]],
    }),
    initialDataUpdatedAt: 0,
  });
}

/** Whether the signed-in user may manage the tenant (keys, members, settings). The API decides in the end. */
export function useCanAdmin(): boolean {
  return useMe().data.scopes.includes("admin");
}
