export { recordAuditEvent, type AuditAction } from "./record-audit-event";
export { listAuditEvents, auditEventSchema, auditEventPageSchema, listAuditEventsQuerySchema } from "./list-audit-events";
