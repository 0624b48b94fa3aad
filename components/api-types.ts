// Shapes of the API's answers as the console reads them (see lib/api/endpoints.ts for the source).
import type { Role } from "@/lib/auth/scopes";

export type { Role };

export type Page<T> = { data: T[]; nextCursor: string | null };

export type Tenant = { id: string; slug: string; name: string; createdAt: string };
export type MyTenant = Tenant & { role: Role };

export type Me = {
  tenant: Tenant;
  actor: { type: "user" | "key" | "system"; id: string | null; label: string };
  role: Role | null;
  scopes: string[];
};

export type ApiKey = {
  id: string;
  name: string;
  start: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: "active" | "expired" | "revoked";
};
export type CreatedApiKey = ApiKey & { secret: string };

export type Member = { id: string; userId: string; email: string; name: string | null; role: Role; createdAt: string };

export type Invitation = {
  id: string;
  role: Role;
  email: string | null;
  expiresAt: string;
  createdAt: string;
  status: "pending" | "accepted" | "expired" | "revoked";
};
export type CreatedInvitation = Invitation & { token: string; url: string };

export type AuditEvent = {
  id: string;
  action: string;
  actor: { type: "user" | "key" | "system"; id: string | null; label: string };
  target: { type: string; id: string } | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
};
