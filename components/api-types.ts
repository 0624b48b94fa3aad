// Shapes of the API's answers as the console reads them: the types of the very zod schemas that
// shape the API's responses (lib/api/endpoints.ts names which schema each endpoint answers with),
// so a change to a schema fails the type check here instead of drifting. Type-only imports: no
// server code reaches the browser bundle.
import type { z } from "zod";
import type { auditEventSchema } from "@/lib/audit/list-audit-events";
import type { pageSchema } from "@/lib/api/pagination";
import type { Role } from "@/lib/auth/scopes";
import type { apiKeySchema, createdApiKeySchema } from "@/lib/keys/schemas";
import type { logLineSchema } from "@/lib/logs/schemas";
import type { acceptedInvitationSchema, createdInvitationSchema, invitationListSchema, invitationSchema, memberSchema } from "@/lib/members/schemas";
import type { concurrencySchema, sessionMetricPointSchema, sessionMetricsSchema } from "@/lib/metrics/schemas";
import type { runnerListSchema, runnerSchema } from "@/lib/runners/schemas";
import type { execResultSchema, execSchema, sessionEventListSchema, sessionEventSchema, sessionListItemSchema, sessionSchema, writtenFileSchema } from "@/lib/sessions/schemas";
import type { SessionState } from "@/lib/sessions/state-machine";
import type { snapshotSchema } from "@/lib/snapshots/snapshots";
import type { spanSchema, traceSchema } from "@/lib/telemetry/schemas";
import type { importedTemplateSchema, templateListSchema, templateSchema } from "@/lib/templates/schemas";
import type { terminalSchema } from "@/lib/terminal/schemas";
import type { meSchema, myTenantSchema, signedUpSchema, tenantSchema, tenantSettingsSchema } from "@/lib/tenants/schemas";

export type { Role, SessionState };

/** A list answer (`pageSchema`): the items and the cursor of the next page. */
export type Page<T> = Omit<z.infer<ReturnType<typeof pageSchema<z.ZodUnknown>>>, "data"> & { data: T[] };

export type Tenant = z.infer<typeof tenantSchema>;
export type MyTenant = z.infer<typeof myTenantSchema>;
/** GET/PATCH /tenant: the tenant with its settings. */
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;
export type Me = z.infer<typeof meSchema>;
/** POST /api/auth/signup. */
export type SignedUp = z.infer<typeof signedUpSchema>;

export type ApiKey = z.infer<typeof apiKeySchema>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export type Member = z.infer<typeof memberSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;
export type InvitationList = z.infer<typeof invitationListSchema>;
/** POST /invitations/accept. */
export type AcceptedInvitation = z.infer<typeof acceptedInvitationSchema>;

export type AuditEvent = z.infer<typeof auditEventSchema>;

export type Session = z.infer<typeof sessionSchema>;
export type SessionListItem = z.infer<typeof sessionListItemSchema>;
export type Resources = Session["resources"];
export type IdlePolicy = Session["idle"];
export type SessionEvent = z.infer<typeof sessionEventSchema>;
export type SessionEventList = z.infer<typeof sessionEventListSchema>;
/** The body of POST /sessions/{id}/exec as a client writes it (defaults not yet applied). */
export type ExecInput = z.input<typeof execSchema>;
export type ExecResult = z.infer<typeof execResultSchema>;
/** PUT /sessions/{id}/files. */
export type WrittenFile = z.infer<typeof writtenFileSchema>;
/** POST /sessions/{id}/terminals. */
export type OpenedTerminal = z.infer<typeof terminalSchema>;
export type LogLine = z.infer<typeof logLineSchema>;

export type Snapshot = z.infer<typeof snapshotSchema>;
export type SnapshotList = { data: Snapshot[] };
export type Template = z.infer<typeof templateSchema>;
export type ImportedTemplate = z.infer<typeof importedTemplateSchema>;
export type ImportLogEntry = ImportedTemplate["importLog"][number];
export type TemplateList = z.infer<typeof templateListSchema>;
export type Runner = z.infer<typeof runnerSchema>;
export type RunnerList = z.infer<typeof runnerListSchema>;

export type Span = z.infer<typeof spanSchema>;
export type Trace = z.infer<typeof traceSchema>;

export type SessionMetricPoint = z.infer<typeof sessionMetricPointSchema>;
export type SessionMetrics = z.infer<typeof sessionMetricsSchema>;
export type Concurrency = z.infer<typeof concurrencySchema>;
export type ConcurrencyPoint = Concurrency["data"][number];
/** Why a limit stopped the sandbox or a process in it (the API's postMortem). */
export type PostMortem = NonNullable<Session["postMortem"]>;

export type { ConsoleSession } from "@/lib/auth/console-session-schemas";
