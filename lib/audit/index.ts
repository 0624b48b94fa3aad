export { recordAuditEvent } from "./record-audit-event";
export { AUDIT_ACTIONS, type AuditAction } from "./actions";
export { listAuditEvents, auditEventSchema, auditEventPageSchema, listAuditEventsQuerySchema } from "./list-audit-events";
