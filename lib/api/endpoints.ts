// Every public endpoint's contract, in one list: route handlers validate with these and
// /api/v1/openapi.json is generated from them.
import { z } from "zod";
import { auditEventPageSchema, listAuditEventsQuerySchema } from "../audit";
import { apiKeyPageSchema, apiKeySchema, createApiKeySchema, createdApiKeySchema, listApiKeysQuerySchema, updateApiKeySchema } from "../keys/schemas";
import { billingSummarySchema, planListSchema, updateBillingSettingsSchema } from "../billing/schemas";
import { usageAnswerSchema, usageQuerySchema } from "../usage/schemas";
import {
  acceptedInvitationSchema, acceptInvitationSchema, createInvitationSchema, createdInvitationSchema, invitationListSchema, invitationSchema,
  listMembersQuerySchema, memberPageSchema, memberSchema, updateMemberSchema,
} from "../members/schemas";
import {
  createTenantSchema, meSchema, myTenantSchema, myTenantsSchema, signedUpSchema, signUpSchema, tenantSettingsSchema, updateTenantSchema,
} from "../tenants/schemas";
import {
  createSessionSchema, execResultSchema, execSchema, listSessionsQuerySchema, MAX_FILE_BYTES, sessionEventListSchema, sessionEventsQuerySchema, sessionPageSchema, sessionSchema,
  writtenFileSchema,
} from "../sessions/schemas";
import { listSnapshotsQuerySchema, snapshotPageSchema, snapshotSchema } from "../snapshots/snapshots";
import {
  createTemplateSchema, IMAGE_CONTENT_TYPES, importedTemplateSchema, importTemplateQuerySchema, MAX_IMAGE_BYTES, templateListSchema, templateSchema,
  updateTemplateSchema,
} from "../templates/schemas";
import { runnerListSchema } from "../runners/schemas";
import { logPageSchema, logQuerySchema } from "../logs/schemas";
import { concurrencyQuerySchema, concurrencySchema, sessionMetricsQuerySchema, sessionMetricsSchema } from "../metrics/schemas";
import { listSessionSpansQuerySchema, listTracesQuerySchema, spanPageSchema, tracePageSchema, traceSchema } from "../telemetry/schemas";
import { OTLP_CONTENT_TYPES, OTLP_MAX_BODY_BYTES } from "../telemetry/otlp/read-otlp-body";
import {
  closedTerminalSchema, openTerminalSchema, terminalInputSchema, terminalOutputQuerySchema, terminalSchema, terminalSizeSchema,
} from "../terminal/schemas";
import {
  checkoutResultSchema, checkoutSchema, invoicePageSchema, listInvoicesQuerySchema, portalResultSchema, stripeWebhookResultSchema,
} from "../billing/stripe/schemas";
import { consoleSessionListSchema } from "../auth/console-session-schemas";
import { defineEndpoint } from "./endpoint";
import { egressPolicySchema, networkEventPageSchema, networkEventsQuerySchema } from "../network/schemas";
import { createdPreviewTokenSchema, createPreviewTokenSchema, portVisibilitySchema, sessionPortListSchema, setPortVisibilitySchema } from "../preview/schemas";

const filePathQuery = z.object({ path: z.string().min(1).max(4096).describe("Absolute path inside the sandbox") }).strict();
const sessionAction = (action: string, summary: string) =>
  defineEndpoint({ method: "POST", path: `/api/v1/sessions/{id}/${action}`, tag: "Sessions", scopes: ["sessions:write"], summary, response: sessionSchema });

export const endpoints = {
  signUp: defineEndpoint({
    method: "POST", path: "/api/auth/signup", tag: "Account", auth: "none", status: 201,
    summary: "Create an account and its first tenant", body: signUpSchema,
    response: signedUpSchema,
  }),
  getMe: defineEndpoint({
    method: "GET", path: "/api/v1/me", tag: "Account", summary: "The calling key or user, its tenant and scopes", response: meSchema,
  }),
  listConsoleSessions: defineEndpoint({
    method: "GET", path: "/api/v1/me/console-sessions", tag: "Account", auth: "user",
    summary: "The signed-in user's console sessions (browsers signed in), most recently used first", response: consoleSessionListSchema,
  }),
  revokeConsoleSession: defineEndpoint({
    method: "DELETE", path: "/api/v1/me/console-sessions/{id}", tag: "Account", auth: "user", status: 204,
    summary: "Sign one of the user's console sessions out: its cookie is refused from now on",
  }),
  listMyTenants: defineEndpoint({
    method: "GET", path: "/api/v1/tenants", tag: "Tenants", auth: "user", summary: "Tenants the signed-in user belongs to", response: myTenantsSchema,
  }),
  createTenant: defineEndpoint({
    method: "POST", path: "/api/v1/tenants", tag: "Tenants", auth: "user", status: 201,
    summary: "Create a tenant owned by the signed-in user", body: createTenantSchema, response: myTenantSchema,
  }),
  getTenant: defineEndpoint({
    method: "GET", path: "/api/v1/tenant", tag: "Tenants", summary: "The caller's tenant and its settings", response: tenantSettingsSchema,
  }),
  updateTenant: defineEndpoint({
    method: "PATCH", path: "/api/v1/tenant", tag: "Tenants", scopes: ["admin"], summary: "Rename the caller's tenant or change how long its telemetry is kept",
    body: updateTenantSchema, response: tenantSettingsSchema,
  }),
  listApiKeys: defineEndpoint({
    method: "GET", path: "/api/v1/api-keys", tag: "API keys",
    summary: "List API keys: with the admin scope all of the tenant's, for a signed-in member or viewer the keys they created",
    query: listApiKeysQuerySchema, response: apiKeyPageSchema,
  }),
  createApiKey: defineEndpoint({
    method: "POST", path: "/api/v1/api-keys", tag: "API keys", status: 201,
    summary: "Create an API key with at most the caller's scopes (403 beyond them; an API key needs admin); the secret is in this response only", body: createApiKeySchema, response: createdApiKeySchema,
  }),
  revokeApiKey: defineEndpoint({
    method: "DELETE", path: "/api/v1/api-keys/{id}", tag: "API keys",
    summary: "Revoke an API key at once (without the admin scope: one you created)", response: apiKeySchema,
  }),
  listMembers: defineEndpoint({
    method: "GET", path: "/api/v1/members", tag: "Members", summary: "List the tenant's members", query: listMembersQuerySchema, response: memberPageSchema,
  }),
  updateMember: defineEndpoint({
    method: "PATCH", path: "/api/v1/members/{id}", tag: "Members", scopes: ["admin"], summary: "Change a member's role",
    body: updateMemberSchema, response: memberSchema,
  }),
  removeMember: defineEndpoint({
    method: "DELETE", path: "/api/v1/members/{id}", tag: "Members", scopes: ["admin"], summary: "Remove a member", response: memberSchema,
  }),
  listInvitations: defineEndpoint({
    method: "GET", path: "/api/v1/invitations", tag: "Members", scopes: ["admin"], summary: "Pending invitations", response: invitationListSchema,
  }),
  createInvitation: defineEndpoint({
    method: "POST", path: "/api/v1/invitations", tag: "Members", scopes: ["admin"], status: 201,
    summary: "Create an invitation link; the link is in this response only", body: createInvitationSchema, response: createdInvitationSchema,
  }),
  revokeInvitation: defineEndpoint({
    method: "DELETE", path: "/api/v1/invitations/{id}", tag: "Members", scopes: ["admin"], summary: "Revoke an invitation", response: invitationSchema,
  }),
  acceptInvitation: defineEndpoint({
    method: "POST", path: "/api/v1/invitations/accept", tag: "Members", auth: "user", summary: "Join a tenant with an invitation token",
    body: acceptInvitationSchema,
    response: acceptedInvitationSchema,
  }),
  createSession: defineEndpoint({
    method: "POST", path: "/api/v1/sessions", tag: "Sessions", scopes: ["sessions:write"], status: 201,
    summary: "Start a session in its own sandbox (answers at once; exec waits until it runs)", body: createSessionSchema, response: sessionSchema,
  }),
  listSessions: defineEndpoint({
    method: "GET", path: "/api/v1/sessions", tag: "Sessions", scopes: ["sessions:read"], summary: "List sessions, newest first",
    query: listSessionsQuerySchema, response: sessionPageSchema,
  }),
  getSession: defineEndpoint({ method: "GET", path: "/api/v1/sessions/{id}", tag: "Sessions", scopes: ["sessions:read"], summary: "A session", response: sessionSchema }),
  terminateSession: defineEndpoint({
    method: "DELETE", path: "/api/v1/sessions/{id}", tag: "Sessions", scopes: ["sessions:write"], summary: "Terminate a session and delete its sandbox", response: sessionSchema,
  }),
  pauseSession: sessionAction("pause", "Freeze the sandbox (memory kept, no CPU)"),
  changeSessionNetwork: defineEndpoint({
    method: "PATCH", path: "/api/v1/sessions/{id}/network", tag: "Sessions", scopes: ["sessions:write"],
    summary: "Replace the egress policy of a session that has a network; its runner applies it to the running sandbox within about a second, no restart (network none stays none)",
    body: egressPolicySchema, response: sessionSchema,
  }),
  listSessionNetworkEvents: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/network/events", tag: "Sessions", scopes: ["sessions:read"],
    summary: "The session's egress flight recorder, newest first: DNS lookups and outbound connection attempts with the verdict and the rule that decided; with its bytes out and in so far",
    query: networkEventsQuerySchema, response: networkEventPageSchema,
  }),
  listSessionPorts: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/ports", tag: "Previews", scopes: ["sessions:read"],
    summary: "TCP ports listening in the sandbox (read from its network namespace; never wakes it), with their preview URLs and the ports made public",
    response: sessionPortListSchema,
  }),
  setPortVisibility: defineEndpoint({
    method: "PUT", path: "/api/v1/sessions/{id}/ports/{port}", tag: "Previews", scopes: ["sessions:write"],
    summary: "Make a port's preview URL public (no token needed; a request to it wakes the session) or private again; audited",
    body: setPortVisibilitySchema, response: portVisibilitySchema,
  }),
  createPreviewToken: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/preview-tokens", tag: "Previews", scopes: ["sessions:write"], status: 201,
    summary: "A token that opens the session's preview URLs until it expires (header X-Burrow-Preview-Token, or once as ?burrow_preview_token= for a cookie); shown once, audited",
    body: createPreviewTokenSchema, response: createdPreviewTokenSchema,
  }),
  resumeSession: sessionAction("resume", "Resume a paused or hibernated session"),
  hibernateSession: sessionAction("hibernate", "Snapshot the files and free the sandbox"),
  execInSession: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/exec", tag: "Sessions", scopes: ["sessions:write"],
    summary: "Run a command (wakes the session). With Accept: text/event-stream, output streams as events and then the exit",
    body: execSchema, response: execResultSchema,
  }),
  readSessionFile: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/files", tag: "Sessions", scopes: ["sessions:read"], query: filePathQuery,
    summary: "Download a file (raw bytes). Wakes a sleeping session only for a caller with sessions:write; without it, a hibernated session's file comes from its latest snapshot (header X-Burrow-Snapshot-Id) and a path the snapshot cannot answer, or a paused session, is a 409",
  }),
  writeSessionFile: defineEndpoint({
    method: "PUT", path: "/api/v1/sessions/{id}/files", tag: "Sessions", scopes: ["sessions:write"], summary: "Upload a file (raw bytes, at most 100 MiB)",
    query: filePathQuery, response: writtenFileSchema,
    rawBody: { contentTypes: ["application/octet-stream", "*/*"], maxBytes: MAX_FILE_BYTES, description: "The file's bytes, under any Content-Type" },
  }),
  listSessionEvents: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/events", tag: "Sessions", scopes: ["sessions:read"],
    summary: "The session's state timeline with causes and who asked. With Accept: text/event-stream or follow=true, server-sent events: "
      + "`session` (the session, as GET /sessions/{id}) and `transition` (one timeline entry) for what is there, then again as each change commits",
    query: sessionEventsQuerySchema, response: sessionEventListSchema,
  }),
  createSnapshot: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/snapshots", tag: "Snapshots", scopes: ["snapshots:write"], status: 201,
    summary: "Snapshot a running, paused or hibernated session (a fork point)", response: snapshotSchema,
  }),
  sessionLineage: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/snapshots", tag: "Snapshots", scopes: ["snapshots:read"],
    summary: "The session's snapshots and their ancestors (parentId links form the lineage tree)", response: z.object({ data: z.array(snapshotSchema) }),
  }),
  listSnapshots: defineEndpoint({
    method: "GET", path: "/api/v1/snapshots", tag: "Snapshots", scopes: ["snapshots:read"], summary: "List snapshots", query: listSnapshotsQuerySchema, response: snapshotPageSchema,
  }),
  getSnapshot: defineEndpoint({ method: "GET", path: "/api/v1/snapshots/{id}", tag: "Snapshots", scopes: ["snapshots:read"], summary: "A snapshot", response: snapshotSchema }),
  deleteSnapshot: defineEndpoint({
    method: "DELETE", path: "/api/v1/snapshots/{id}", tag: "Snapshots", scopes: ["snapshots:write"], summary: "Delete a snapshot", response: snapshotSchema,
  }),
  listTemplates: defineEndpoint({
    method: "GET", path: "/api/v1/templates", tag: "Templates", scopes: ["sessions:read"], summary: "The built-in `base` and the tenant's templates", response: templateListSchema,
  }),
  createTemplate: defineEndpoint({
    method: "POST", path: "/api/v1/templates", tag: "Templates", scopes: ["admin"], status: 201, summary: "Create a template", body: createTemplateSchema, response: templateSchema,
  }),
  importTemplate: defineEndpoint({
    method: "POST", path: "/api/v1/templates/import", tag: "Templates", scopes: ["admin"], status: 201,
    summary: "Create a template from an image archive: `docker save` output or an OCI image layout as a tar (at most 2 GiB, uncompressed)",
    query: importTemplateQuerySchema, response: importedTemplateSchema,
    rawBody: { contentTypes: IMAGE_CONTENT_TYPES, maxBytes: MAX_IMAGE_BYTES, description: "The image archive as a plain tar; the image needs /bin/sh" },
  }),
  getTemplate: defineEndpoint({ method: "GET", path: "/api/v1/templates/{id}", tag: "Templates", scopes: ["sessions:read"], summary: "A template", response: templateSchema }),
  updateTemplate: defineEndpoint({
    method: "PATCH", path: "/api/v1/templates/{id}", tag: "Templates", scopes: ["admin"], summary: "Change a template (new sessions only)", body: updateTemplateSchema, response: templateSchema,
  }),
  deleteTemplate: defineEndpoint({ method: "DELETE", path: "/api/v1/templates/{id}", tag: "Templates", scopes: ["admin"], summary: "Delete a template", response: templateSchema }),
  listRunners: defineEndpoint({
    method: "GET", path: "/api/v1/runners", tag: "Runners", scopes: ["sessions:read"], summary: "Compute hosts: capacity, load and health", response: runnerListSchema,
  }),
  listAuditEvents: defineEndpoint({
    method: "GET", path: "/api/v1/audit-log", tag: "Audit log", scopes: ["admin"], summary: "The tenant's audit log, newest first",
    query: listAuditEventsQuerySchema, response: auditEventPageSchema,
  }),
  // Telemetry: log API and live logs
  readSessionLogs: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/logs", tag: "Logs", scopes: ["sessions:read"],
    summary: "The session's log lines in sequence order (JSON pages; format=text downloads them). With Accept: text/event-stream or follow=true, "
      + "server-sent events: each line an event with id = its sequence number, the backlog first, then live lines; resume with Last-Event-ID",
    query: logQuerySchema, response: logPageSchema,
  }),
  // Telemetry: resource metrics and concurrency
  getSessionMetrics: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/metrics", tag: "Sessions", scopes: ["sessions:read"],
    summary: "CPU (vCPU), memory and pids sampled from the sandbox's cgroup every few seconds; ranges holding more than 500 samples are aggregated into buckets",
    query: sessionMetricsQuerySchema, response: sessionMetricsSchema,
  }),
  getSessionConcurrency: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/concurrency", tag: "Sessions", scopes: ["sessions:read"],
    summary: "Running and paused sessions of the tenant over time (peak per bucket), from the session state timeline",
    query: concurrencyQuerySchema, response: concurrencySchema,
  }),
  // Telemetry: traces and OTLP
  listTraces: defineEndpoint({
    method: "GET", path: "/api/v1/traces", tag: "Traces", scopes: ["sessions:read"],
    summary: "The tenant's traces, newest first: root span, duration, span count, error flag and session", query: listTracesQuerySchema, response: tracePageSchema,
  }),
  getTrace: defineEndpoint({
    method: "GET", path: "/api/v1/traces/{traceId}", tag: "Traces", scopes: ["sessions:read"], summary: "Every span of one trace, by start time", response: traceSchema,
  }),
  listSessionSpans: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/spans", tag: "Traces", scopes: ["sessions:read"],
    summary: "Spans joined to the session (platform lifecycle and API spans, and OTLP spans with its session.id), oldest first",
    query: listSessionSpansQuerySchema, response: spanPageSchema,
  }),
  exportOtlpTraces: defineEndpoint({
    method: "POST", path: "/api/otlp/v1/traces", tag: "Traces", scopes: ["telemetry:write"],
    summary: "OTLP/HTTP trace export (protobuf or JSON, gzip allowed): answers ExportTraceServiceResponse, with partial_success naming rejected spans",
    rawBody: { contentTypes: OTLP_CONTENT_TYPES, maxBytes: OTLP_MAX_BODY_BYTES, description: "An ExportTraceServiceRequest; spans join a session by the session.id attribute" },
  }),
  exportOtlpLogs: defineEndpoint({
    method: "POST", path: "/api/otlp/v1/logs", tag: "Traces", scopes: ["telemetry:write"],
    summary: "OTLP/HTTP log export: records with a session.id attribute become lines of that session's log (source otlp)",
    rawBody: { contentTypes: OTLP_CONTENT_TYPES, maxBytes: OTLP_MAX_BODY_BYTES, description: "An ExportLogsServiceRequest" },
  }),
  // Telemetry: web terminal
  openTerminal: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/terminals", tag: "Sessions", scopes: ["sessions:write"], status: 201,
    summary: "Open an interactive shell on a TTY in the session (wakes it, like exec). It closes when the session pauses, hibernates or ends",
    body: openTerminalSchema, response: terminalSchema,
  }),
  terminalOutput: defineEndpoint({
    method: "GET", path: "/api/v1/sessions/{id}/terminals/{terminalId}/output", tag: "Sessions", scopes: ["sessions:write"],
    summary: "The terminal's output as server-sent events: `output` ({offset, data: base64}, id = byte offset after it), `gap`, and last `closed` with the reason. Resumes after Last-Event-ID",
    query: terminalOutputQuerySchema,
  }),
  terminalInput: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/terminals/{terminalId}/input", tag: "Sessions", scopes: ["sessions:write"], status: 204,
    summary: "Send keystrokes (bytes for the shell's TTY); send one request at a time to keep them in order", body: terminalInputSchema,
  }),
  resizeTerminal: defineEndpoint({
    method: "POST", path: "/api/v1/sessions/{id}/terminals/{terminalId}/resize", tag: "Sessions", scopes: ["sessions:write"], status: 204,
    summary: "Set the terminal's size (the shell gets SIGWINCH)", body: terminalSizeSchema,
  }),
  closeTerminal: defineEndpoint({
    method: "DELETE", path: "/api/v1/sessions/{id}/terminals/{terminalId}", tag: "Sessions", scopes: ["sessions:write"],
    summary: "Close the terminal: its shell and everything started in it are killed", response: closedTerminalSchema,
  }),
  // Billing: metering and usage
  getUsage: defineEndpoint({
    method: "GET", path: "/api/v1/usage", tag: "Billing", scopes: ["billing:read"],
    summary: "Metered usage from the hourly rollups (the current hour as of the last rollup, about a minute behind), per UTC hour or day, "
      + "by meter, session, template or creating API key, each row priced with the tenant's plan (before included amounts)",
    query: usageQuerySchema, response: usageAnswerSchema,
  }),
  // Billing: Stripe (checkout, portal, invoices, webhooks)
  startCheckout: defineEndpoint({
    method: "POST", path: "/api/v1/billing/checkout", tag: "Billing", scopes: ["admin"],
    summary: "Change plan: with Stripe, a Checkout URL to subscribe (409 if the plan has no Stripe price or a subscription exists: use the portal); in local billing mode the plan changes at once",
    body: checkoutSchema, response: checkoutResultSchema,
  }),
  openBillingPortal: defineEndpoint({
    method: "POST", path: "/api/v1/billing/portal", tag: "Billing", scopes: ["admin"],
    summary: "A link to Stripe's customer portal for this tenant (409 in local billing mode)", response: portalResultSchema,
  }),
  listInvoices: defineEndpoint({
    method: "GET", path: "/api/v1/billing/invoices", tag: "Billing", scopes: ["billing:read"],
    summary: "Invoices, newest period first: Stripe's (charged, with hosted page and PDF) or, in local billing mode, Burrow's own drafts (never charged)",
    query: listInvoicesQuerySchema, response: invoicePageSchema,
  }),
  stripeWebhook: defineEndpoint({
    method: "POST", path: "/api/webhooks/stripe", tag: "Billing", auth: "none",
    summary: "Stripe webhook endpoint: verified by the Stripe-Signature header (400 if it does not match), each event id applied once",
    rawBody: { contentTypes: ["application/json"], maxBytes: 1024 * 1024, description: "A Stripe event, exactly as Stripe sent it (the signature covers the raw bytes)" },
    response: stripeWebhookResultSchema,
  }),
  // Billing: price book, spend limits and summary
  getBillingSummary: defineEndpoint({
    method: "GET", path: "/api/v1/billing/summary", tag: "Billing", scopes: ["billing:read"],
    summary: "This period's plan, usage priced with the price book (lines rounded to the cent), forecast, spend limit, budget alerts and quotas in use",
    response: billingSummarySchema,
  }),
  updateBillingSettings: defineEndpoint({
    method: "PATCH", path: "/api/v1/billing/settings", tag: "Billing", scopes: ["admin"],
    summary: "Set or remove the tenant's monthly spend limit; at the limit new sessions get 402 spend_limit_reached and running ones hibernate",
    body: updateBillingSettingsSchema, response: billingSummarySchema,
  }),
  listPlans: defineEndpoint({
    method: "GET", path: "/api/v1/billing/plans", tag: "Billing", scopes: ["billing:read"],
    summary: "The price book: each plan's monthly fee, unit price and included amount per meter, and quotas", response: planListSchema,
  }),
  updateApiKey: defineEndpoint({
    method: "PATCH", path: "/api/v1/api-keys/{id}", tag: "API keys", scopes: ["admin"],
    summary: "Set or remove the monthly spend limit of the sessions this key creates", body: updateApiKeySchema, response: apiKeySchema,
  }),
};
