// Scopes name what a caller may do. API keys carry scopes chosen at creation; signed-in users get
// the scopes of their role in the tenant.
import { z } from "zod";

export const SCOPES = [
  "sessions:read",
  "sessions:write",
  "snapshots:read",
  "snapshots:write",
  "telemetry:write",
  "billing:read",
  "admin",
] as const;

export const scopeSchema = z.enum(SCOPES);
export type Scope = (typeof SCOPES)[number];

export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = (typeof ROLES)[number];

const MEMBER_SCOPES: Scope[] = ["sessions:read", "sessions:write", "snapshots:read", "snapshots:write", "telemetry:write", "billing:read"];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  owner: SCOPES,
  admin: SCOPES,
  member: MEMBER_SCOPES,
  viewer: ["sessions:read", "snapshots:read", "billing:read"],
};

export function hasScopes(granted: readonly string[], required: readonly Scope[]): boolean {
  return required.every((s) => granted.includes(s));
}
