import type { Scope } from "@/lib/auth/scopes";

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "sessions:read": "List and inspect sessions, read their logs",
  "sessions:write": "Create, exec in, pause, hibernate and end sessions",
  "snapshots:read": "List and download snapshots",
  "snapshots:write": "Create and delete snapshots",
  "telemetry:write": "Send OTLP traces and logs",
  "billing:read": "Read usage and invoices",
  admin: "Manage keys, members, invitations and tenant settings",
};
