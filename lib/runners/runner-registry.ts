// Runner rows: cluster-wide infrastructure, not tenant data, written by the runner itself (system
// actor) and read by placement and the runners page.
import { db } from "../db/client";
import type { z } from "zod";
import { newId } from "../ids";
import { type runnerSchema, TENANT_VISIBLE_CAPABILITIES } from "./schemas";

export type RunnerRegistration = {
  name: string;
  address: string;
  backend: string;
  vcpu: number;
  memoryMib: number;
  gpus: number;
  gpuType?: string | null;
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  /** Why it cannot run sandboxes; unset: it can. Placement skips an unhealthy runner. */
  unhealthyReason?: string | null;
};

/**
 * Registers (or re-registers after a restart, keeping its id and sessions) the runner `name`. Each
 * registration raises the runner's epoch, the fencing token its heartbeats and session work carry.
 */
export async function registerRunner(reg: RunnerRegistration, now = new Date()) {
  const data = { ...reg, capabilities: reg.capabilities as object, gpuType: reg.gpuType ?? null, unhealthyReason: reg.unhealthyReason ?? null, status: "online", lastHeartbeatAt: now, startedAt: now };
  return db().runner.upsert({ where: { name: reg.name }, create: { id: newId("run"), ...data, epoch: 1 }, update: { ...data, epoch: { increment: 1 } } });
}

/** Whether the runner process holding `epoch` still speaks for the row: current, declared lost, or replaced by a newer registration. */
export async function runnerStanding(runnerId: string, epoch: number): Promise<"current" | "lost" | "superseded"> {
  const row = await db().runner.findUnique({ where: { id: runnerId }, select: { epoch: true, status: true } });
  if (!row || row.epoch !== epoch) return "superseded";
  return row.status === "lost" ? "lost" : "current";
}

export async function markRunnerOffline(runnerId: string, epoch: number): Promise<void> {
  await db().runner.updateMany({ where: { id: runnerId, epoch, status: { not: "lost" } }, data: { status: "offline" } });
}

/**
 * The sessions a runner must converge: assigned to it and not yet terminated. With `epoch`, none
 * while the runner row has another epoch or is lost (fencing: a stale process acts on nothing).
 * The ids come from plain SQL with the state as a literal, so the partial index of live sessions
 * (sessions_runner_live_idx) serves it: Prisma binds the state as a parameter cast to the enum,
 * which the planner cannot match to the index's predicate, and scanned every session the runner
 * ever held (8.5 ms against 0.13 ms with 100k finished ones: bench/runner-sessions-plan.ts).
 */
export async function sessionsOfRunner(runnerId: string, epoch?: number) {
  const fenced = epoch ?? null;
  const live = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM sessions s
    WHERE s.runner_id = ${runnerId} AND s.state <> 'terminated'
      AND (${fenced}::int IS NULL OR EXISTS (SELECT 1 FROM runners r WHERE r.id = ${runnerId} AND r.epoch = ${fenced}::int AND r.status <> 'lost'))
    ORDER BY s.id LIMIT 10000`;
  if (live.length === 0) return [];
  return db().session.findMany({ where: { id: { in: live.map((r) => r.id) }, runnerId, state: { not: "terminated" } }, orderBy: { id: "asc" } });
}

/** One session of the runner's, fenced like sessionsOfRunner (undefined: not, or no longer, its to converge). */
export async function sessionOfRunner(sessionId: string, runnerId: string, epoch: number) {
  const session = await db().session.findFirst({ where: { id: sessionId, runnerId, state: { not: "terminated" }, runner: { is: { epoch, status: { not: "lost" } } } } });
  return session ?? undefined;
}

export async function getRunner(runnerId: string) {
  return db().runner.findUnique({ where: { id: runnerId } });
}

/**
 * Runners with their load. The tenant view (the API) leaves out what is internal: the address
 * runners are called on and capabilities other than TENANT_VISIBLE_CAPABILITIES. `internal: true`
 * adds them, for operators (`npm run admin -- runners`).
 */
export async function listRunners(opts: { internal?: boolean } = {}) {
  const runners = await db().runner.findMany({ orderBy: { name: "asc" }, take: 1000 });
  const load = await db().session.groupBy({
    by: ["runnerId"],
    where: { state: { in: ["pending", "starting", "running", "paused", "hibernating"] }, runnerId: { not: null } },
    _count: { _all: true },
    _sum: { vcpu: true, memoryMib: true, gpus: true },
  });
  const byRunner = new Map(load.map((l) => [l.runnerId, l]));
  return runners.map((r) => {
    const l = byRunner.get(r.id);
    const capabilities = r.capabilities as Record<string, unknown>;
    const tenantView: z.infer<typeof runnerSchema> = {
      id: r.id, name: r.name, backend: r.backend, status: r.status, unhealthyReason: r.unhealthyReason,
      capacity: { vcpu: r.vcpu, memoryMib: r.memoryMib, gpus: r.gpus, gpuType: r.gpuType },
      used: { sessions: l?._count._all ?? 0, vcpu: l?._sum.vcpu ?? 0, memoryMib: l?._sum.memoryMib ?? 0, gpus: l?._sum.gpus ?? 0 },
      labels: r.labels as Record<string, string>,
      capabilities: Object.fromEntries(TENANT_VISIBLE_CAPABILITIES.filter((c) => c in capabilities).map((c) => [c, capabilities[c]])),
      lastHeartbeatAt: r.lastHeartbeatAt.toISOString(), startedAt: r.startedAt.toISOString(),
    };
    return opts.internal ? { ...tenantView, address: r.address, capabilities } : tenantView;
  });
}
