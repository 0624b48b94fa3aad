// What every tenant-scoped domain function receives: who acts, for which tenant, with which
// scopes, and the tenant-scoped database handle.
import type { TenantDb, TenantTx } from "../db/tenant-scope";
import type { Role } from "./scopes";

export type TenantSummary = { id: string; slug: string; name: string; createdAt: Date };

export type Actor =
  | { type: "user"; id: string; label: string }
  | { type: "key"; id: string; label: string }
  | { type: "system"; id: null; label: string };

export type TenantContext = {
  tenantId: string;
  tenantSlug: string;
  /** The tenant as the caller's API key lookup found it (cached with the key, dropped on any change
   *  of it: lib/keys/api-key-cache.ts); absent for console users, who read it when needed. */
  tenant?: TenantSummary;
  actor: Actor;
  /** The user's role in the tenant; null for API keys and system actors. */
  role: Role | null;
  scopes: readonly string[];
  db: TenantDb | TenantTx;
  ip: string | null;
  requestId: string;
};

/** A signed-in person acting outside any one tenant (creating a tenant, accepting an invitation). */
export type UserContext = {
  userId: string;
  email: string;
  /** The console session the request was made with (lib/auth/console-sessions.ts). */
  consoleSessionId?: string;
  ip: string | null;
  requestId: string;
};
