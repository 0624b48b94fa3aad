// The files allowed to run raw SQL on tenant tables (scripts/check-layers.ts fails on any other),
// each reviewed: why it cannot use ctx.db (tenantDb), and how its rows stay in the right tenant.
// A request's query has `tenant_id = ctx.tenantId` in every WHERE; a system job says it acts for
// every tenant (or the tenant ids it is given). Add a file only with that review written here.
export const RAW_SQL_ON_TENANT_TABLES: Record<string, string> = {
  // Requests: the caller's tenant in every WHERE.
  "lib/metrics/read-concurrency.ts": "date_bin over session_events; e.tenant_id and s.tenant_id = ctx.tenantId",
  "lib/metrics/read-session-metrics.ts": "date_bin buckets of session_metrics; tenant_id = ctx.tenantId and the session found through ctx.db",
  "lib/telemetry/read-traces.ts": "an aggregate per trace; tenant_id = ctx.tenantId in the candidates and the outer query",
  "lib/sessions/list-sessions.ts": "the sessions list ordered by computed keys (duration, cost) and its per-page cost aggregate; s.tenant_id and u.tenant_id = ctx.tenantId in every query",
  "lib/usage/read-usage.ts": "usage grouped by a fixed expression; u.tenant_id = ctx.tenantId",
  "lib/usage/usage-totals.ts": "sumUsageByMeter: tenant_id = input.tenantId; closedUsageHours: the Stripe push, every tenant (system)",
  "lib/logs/append-session-logs.ts": "one statement reserves sequence numbers and inserts; WHERE id = session AND tenant_id = tenant, rows carry that tenant",
  "lib/billing/enforce-spend-limits.ts": "row lock on tenant_billing and a bulk desired-state update, both WHERE tenant_id = the tenant checked",
  "lib/telemetry/insert-spans.ts": "bulk insert by unnest; every row's tenant_id is set by the caller from ctx (OTLP key) or the session's own tenant",
  "lib/telemetry/lifecycle-spans.ts": "the latest lifecycle span of one session; tenant_id = the session's tenant",
  "lib/keys/authenticate-api-key.ts": "the lookup that decides the tenant: a key by its secret hash, joined to its tenant",
  "lib/preview/preview-access.ts": "the preview proxy's lookups that decide the tenant (as the key lookup does): a session by the id in the host name, a token by its secret hash; each row carries its tenant, which the proxy compares; plain SQL because through Prisma each read compiled its plan (~15 ms of CPU) on the proxy's hot path",
  // System jobs: they act for every tenant by design (the scheduler or a runner as the system actor).
  "lib/retention/purge-expired-telemetry.ts": "retention deletes in batches, each WHERE tenant_id = one tenant with its own retention",
  "lib/sessions/apply-idle-policy.ts": "idle and lifetime rules over every tenant's sessions (scheduler); sets desired state only",
  "lib/snapshots/retention.ts": "finds every tenant's hibernated sessions past retention (scheduler); each is then terminated by id",
  "lib/usage/rollup-subjects.ts": "the usage rollup reads every tenant's sessions and snapshots, or one tenant's when scoped",
  "lib/usage/rollup-usage.ts": "writes usage_hours rows for every tenant, each row carrying the tenant id of its subject",
  "lib/billing/stripe/push-usage.ts": "claims due Stripe pushes of every tenant with SKIP LOCKED; each push names its tenant",
  "lib/runners/place-session.ts": "placement sums every tenant's sessions per runner for free capacity; reads no tenant data out",
  "lib/runners/runner-registry.ts": "the runner's own sessions across tenants (system actor), ids by runner_id with the state as a literal so the partial index serves it; rows then read by id",
  "lib/runners/check-init-health.ts": "the runner writes init health of the sessions it holds, by session id",
  "lib/network/record-egress.ts": "the runner records its sandboxes' counter readings; each row takes the tenant of its session (joined by id)",
  "lib/network/write-network-events.ts": "the runner's flight recorder batch insert; each row takes the tenant of its session (joined by id)",
  "lib/warm-pool/runner-warm-pool.ts": "the runner's free capacity before it starts a pooled sandbox (sums every tenant's sessions on this runner, as placement does), and the adoption of one claimed session of this runner by its id (its env goes to its own sandbox only)",
  "lib/logs/session-log-limits.ts": "the runner's log limits of the sessions it holds, by session id, with each one's own tenant plan",
};
