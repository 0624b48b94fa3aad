// Every action the audit log records. Free of server imports so the console can list them too.
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "tenant.created",
  "tenant.updated",
  "api_key.created",
  "api_key.revoked",
  "member.added",
  "member.removed",
  "member.role_changed",
  "invitation.created",
  "invitation.revoked",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
