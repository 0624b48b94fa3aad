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
  "session.created",
  "session.paused",
  "session.resumed",
  "session.hibernated",
  "session.terminated",
  "session.exec",
  "session.file_written",
  "session.terminal_opened",
  "session.terminal_closed",
  "snapshot.created",
  "snapshot.deleted",
  "template.created",
  "template.updated",
  "template.deleted",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
