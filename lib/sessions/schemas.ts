import { z } from "zod";
import { pageQuerySchema, pageSchema } from "../api/pagination";
import { envSchema, idlePolicySchema, MAX_LIFETIME_SECONDS, resourcesSchema } from "../templates/schemas";
import { DESIRED_STATES, SESSION_STATES } from "./state-machine";
import { egressPolicySchema, networkSchema } from "../network/schemas";

const labelsSchema = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,62}$/i, "label keys are up to 63 letters, digits and . _ / -"), z.string().max(256))
  .refine((l) => Object.keys(l).length <= 50, "at most 50 labels");

/** A file uploaded to or downloaded from a session's sandbox is at most this many bytes. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export const createSessionSchema = z
  .object({
    template: z.string().min(1).max(100).default("base").describe("A template name or id; `base` is built in"),
    resources: resourcesSchema.optional(),
    env: envSchema.optional(),
    labels: labelsSchema.optional(),
    metadata: z.record(z.string(), z.unknown()).refine((m) => JSON.stringify(m).length <= 16_384, "metadata is at most 16 KiB").optional(),
    idle: idlePolicySchema.optional(),
    timeoutSeconds: z.number().int().min(10).max(MAX_LIFETIME_SECONDS).optional().describe("maxLifetimeSeconds: running and paused time after which the session is terminated"),
    fromSnapshot: z.string().optional().describe("Start from this snapshot's files (a fork)"),
    pool: z.string().max(63).optional().describe("Place only on runners whose `pool` label matches"),
    network: networkSchema.optional(),
  })
  .strict();
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

export const POST_MORTEM_REASONS = ["oom_kill", "pids_limit", "disk_full", "lifetime", "spend_limit"] as const;
export type PostMortemReason = (typeof POST_MORTEM_REASONS)[number];
/** Lines of the session's log kept in a post-mortem, the newest last. */
export const POST_MORTEM_LINES = 20;

/** Why a limit stopped the sandbox or a process in it (lib/sessions/post-mortem.ts). */
export const postMortemSchema = z.object({
  reason: z.enum(POST_MORTEM_REASONS),
  at: z.string(),
  message: z.string(),
  peakMemoryBytes: z.number().nullable().describe("Peak memory of the sandbox's cgroup (memory.peak or memory.max_usage_in_bytes); null when it could not be read"),
  lastLines: z.array(z.object({ stream: z.string(), line: z.string(), at: z.string() })).describe(`The last ${POST_MORTEM_LINES} lines of the session's log`),
  counters: z.object({ oomKills: z.number(), pidsLimitHits: z.number() }).optional().describe("The cgroup's counts when it was recorded"),
  disk: z.object({ totalBytes: z.number(), freeBytes: z.number(), totalInodes: z.number(), freeInodes: z.number() }).optional(),
});
export type PostMortem = z.infer<typeof postMortemSchema>;

export const sessionSchema = z.object({
  id: z.string(),
  state: z.enum(SESSION_STATES),
  desiredState: z.enum(DESIRED_STATES),
  template: z.string(),
  runnerId: z.string().nullable(),
  resources: z.object({ vcpu: z.number(), memoryMib: z.number(), diskMib: z.number(), gpus: z.number() }),
  env: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
  metadata: z.record(z.string(), z.unknown()),
  network: z.union([z.literal("none"), egressPolicySchema]).describe("none: loopback only; else its egress policy"),
  idle: z.object({ pauseAfterSeconds: z.number().nullable(), hibernateAfterSeconds: z.number().nullable() }),
  maxLifetimeSeconds: z.number(),
  lifetimeUsedSeconds: z.number(),
  lastActivityAt: z.string(),
  stateChangedAt: z.string(),
  failureReason: z.string().nullable(),
  initHealth: z
    .enum(["stopped", "dead", "zombies"])
    .nullable()
    .describe("Null while the sandbox's init (PID 1) is healthy; stopped: it is stopped and reaps nothing; dead: it is gone; zombies: unreaped processes fill half the pids limit"),
  snapshotId: z.string().nullable(),
  fromSnapshotId: z.string().nullable(),
  createdAt: z.string(),
  terminatedAt: z.string().nullable(),
  postMortem: postMortemSchema.nullable().describe("The latest post-mortem: a limit (memory, processes, disk, time, spend) stopped the sandbox or a process in it; null when none did"),
});
export type SessionView = z.infer<typeof sessionSchema>;

export const SESSION_SORTS = ["created", "state", "duration", "cost"] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

export const listSessionsQuerySchema = pageQuerySchema
  .extend({
    state: z.enum(SESSION_STATES).optional(),
    template: z.string().max(100).optional(),
    label: z.string().regex(/^[^=]+=.*$/, "label=key=value").optional(),
    q: z.string().trim().min(1).max(200).optional()
      .describe("Search, case-insensitive: part of the session id, of the template's name, or of a label (key, value or key=value)"),
    sort: z.enum(SESSION_SORTS).default("created")
      .describe("created: by id (time-sortable); state: in state-machine order; duration: creation to termination (or now); cost: costUsd"),
    order: z.enum(["asc", "desc"]).default("desc"),
    // Sorted by creation the cursor is the last id; by anything else, how many rows came before (durations and costs
    // of live sessions change between pages, so no keyset over them is stable).
    cursor: z.string().regex(/^([a-z]{3}_[0-9A-Z]{26}|\d{1,7})$/, "not a cursor from this API").optional(),
  })
  .strict();
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

/** A row of GET /sessions: the session and what its usage has cost so far. */
export const sessionListItemSchema = sessionSchema.extend({
  costUsd: z.string().describe(
    "The metered usage of this session and its snapshots so far (as of the last usage rollup, about a minute behind) at the plan's unit prices, " +
    "before included amounts, in US dollars as a decimal string with up to 6 decimals",
  ),
});
export const sessionPageSchema = pageSchema(sessionListItemSchema);

export const sessionEventSchema = z.object({
  id: z.string(), fromState: z.string().nullable(), toState: z.string(), cause: z.string(),
  actor: z.string().nullable().describe("Who asked for the change: a person's email, or \"API key bur_…\"; null for the platform's own causes (idle policy, lifetime, …)"),
  detail: z.record(z.string(), z.unknown()), at: z.string(),
});
export const sessionEventListSchema = z.object({ data: z.array(sessionEventSchema) });
export const sessionEventsQuerySchema = z
  .object({ follow: z.stringbool().optional().describe("Stream as server-sent events (same as Accept: text/event-stream)") })
  .strict();

export const execSchema = z
  .object({
    command: z.array(z.string().max(65_536)).min(1).max(1024),
    cwd: z.string().startsWith("/").max(4096).optional(),
    env: envSchema.optional(),
    timeoutMs: z.number().int().min(1).max(3_600_000).default(60_000),
    stdin: z.string().max(10 * 1024 * 1024).optional(),
  })
  .strict();
export type ExecInput = z.infer<typeof execSchema>;
/** PUT /sessions/{id}/files: where the file went and its size in bytes. */
export const writtenFileSchema = z.object({ path: z.string(), size: z.number() });
export const execResultSchema = z.object({
  exitCode: z.number(), stdout: z.string(), stderr: z.string(), durationMs: z.number(), timedOut: z.boolean(), truncated: z.boolean(),
  execId: z.string().optional().describe("Source of this exec's lines in the session log (GET /api/v1/sessions/{id}/logs)"),
});

type SessionRow = {
  id: string; state: string; desiredState: string; templateName: string; runnerId: string | null;
  vcpu: number; memoryMib: number; diskMib: number; gpus: number; env: unknown; labels: unknown; metadata: unknown;
  pauseAfterSeconds: number | null; hibernateAfterSeconds: number | null; maxLifetimeSeconds: number; lifetimeUsedSeconds: number;
  lastActivityAt: Date; stateChangedAt: Date; failureReason: string | null; initHealth: string | null; snapshotId: string | null; fromSnapshotId: string | null;
  createdAt: Date; terminatedAt: Date | null; postMortem?: unknown; network?: unknown;
};

export function toSession(row: SessionRow): SessionView {
  return {
    id: row.id,
    state: row.state as SessionView["state"],
    desiredState: row.desiredState as SessionView["desiredState"],
    template: row.templateName,
    runnerId: row.runnerId,
    resources: { vcpu: row.vcpu, memoryMib: row.memoryMib, diskMib: row.diskMib, gpus: row.gpus },
    env: row.env as Record<string, string>,
    labels: row.labels as Record<string, string>,
    metadata: row.metadata as Record<string, unknown>,
    network: (row.network ?? "none") as SessionView["network"],
    idle: { pauseAfterSeconds: row.pauseAfterSeconds, hibernateAfterSeconds: row.hibernateAfterSeconds },
    maxLifetimeSeconds: row.maxLifetimeSeconds,
    lifetimeUsedSeconds: Math.round(row.lifetimeUsedSeconds * 1000) / 1000,
    lastActivityAt: row.lastActivityAt.toISOString(),
    stateChangedAt: row.stateChangedAt.toISOString(),
    failureReason: row.failureReason,
    initHealth: row.initHealth as SessionView["initHealth"],
    snapshotId: row.snapshotId,
    fromSnapshotId: row.fromSnapshotId,
    createdAt: row.createdAt.toISOString(),
    terminatedAt: row.terminatedAt?.toISOString() ?? null,
    postMortem: (row.postMortem ?? null) as PostMortem | null,
  };
}
