// Load at a size this box carries, on one real runner (real runc): a burst of 100 simultaneous
// creates from one tenant (every answer is 201, or 429/503 as documented, never a 500, and the
// quota holds exactly), then 100 sessions paused all at once and resumed all at once (every one
// ends in the state asked for, none failed).
import { describe, expect, it } from "vitest";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { call, createKey } from "./helpers";
import { useRunnerAndTenant } from "./runner-process";

const env = useRunnerAndTenant();

const BURST = 100;
const BURST_QUOTA = 60;
const SMALL = { vcpu: 0.1, memoryMib: 64 };

type Answer = Awaited<ReturnType<typeof call>>;

/** A fresh key per phase: the test's per-key rate limit (300/min) would otherwise refuse a phase. */
async function freshKey() {
  return (await createKey(env.tenant.id)).secret;
}

const createBody = () => ({ pool: env.runner.pool, resources: SMALL, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } });

function create(key: string): Promise<Answer> {
  return call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key, body: createBody() });
}

/** The documented answers under load: 201, 429 with its reason, or 503 with Retry-After. Never a 500. */
function describeUnexpected(answers: Answer[]): string[] {
  return answers.flatMap((a) => {
    if (a.status === 201) return [];
    if (a.status === 429 && a.body?.error?.code === "quota_exceeded" && a.body.error.details?.limit !== undefined) return [];
    if ((a.status === 429 || a.status === 503) && a.headers.get("retry-after")) return [];
    return [`${a.status} ${JSON.stringify(a.body)}`];
  });
}

/** Polls until every session is in `state` (bounded); a failed session or the deadline names the stragglers. */
async function waitForAll(ids: string[], state: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db().session.findMany({ where: { id: { in: ids } }, select: { id: true, state: true, failureReason: true } });
    const failed = rows.filter((r) => r.state === "failed");
    const waiting = rows.filter((r) => r.state !== state);
    if (waiting.length === 0 && rows.length === ids.length) return;
    if (failed.length || Date.now() > deadline) {
      const byState = waiting.reduce<Record<string, number>>((m, r) => ({ ...m, [r.state]: (m[r.state] ?? 0) + 1 }), {});
      throw new Error(`${waiting.length} of ${ids.length} not ${state}: ${JSON.stringify(byState)}; first failure: ${JSON.stringify(failed[0]?.failureReason ?? null)}\nrunner output:\n${env.runner.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Sends one request per session, all at once, as a client would: a 503 (shed under load) is
 * retried after its Retry-After, a bounded number of times. Returns the final answers.
 */
async function allAtOnce(ids: string[], send: (id: string) => Promise<Answer>): Promise<Answer[]> {
  return Promise.all(ids.map(async (id) => {
    let answer = await send(id);
    for (let attempt = 0; attempt < 5 && answer.status === 503 && answer.headers.get("retry-after"); attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(5, Number(answer.headers.get("retry-after"))) * 1000));
      answer = await send(id);
    }
    return answer;
  }));
}

describe("under load on one runner", () => {
  let created: string[] = [];

  it(`answers ${BURST} simultaneous creates of one tenant with 201, 429 or 503 + Retry-After, never 500, and keeps the quota exact`, async () => {
    await db().tenantQuota.create({
      data: { tenantId: env.tenant.id, maxRunningSessions: BURST_QUOTA, maxVcpu: 1000, maxMemoryMib: 1_000_000, maxSnapshotBytes: 10n ** 12n, maxLifetimeSeconds: 86_400 },
    });
    const key = await freshKey();
    const answers = await Promise.all(Array.from({ length: BURST }, () => create(key)));
    const byStatus = answers.reduce<Record<number, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});
    expect(describeUnexpected(answers), `answers by status: ${JSON.stringify(byStatus)}`).toEqual([]);

    created = answers.filter((a) => a.status === 201).map((a) => a.body.id as string);
    const shed = answers.filter((a) => a.status === 503).length;
    // Exact: what was answered 201 is what holds compute, never more than the quota, and exactly
    // the quota when nothing was shed.
    expect(await db().session.count({ where: { tenantId: env.tenant.id } })).toBe(created.length);
    expect(created.length).toBeLessThanOrEqual(BURST_QUOTA);
    if (shed === 0) expect(created.length).toBe(BURST_QUOTA);
    for (const a of answers.filter((x) => x.status === 429 && x.body.error.code === "quota_exceeded")) {
      expect(a.body.error.details).toMatchObject({ quota: "running_sessions", limit: BURST_QUOTA });
    }
    await waitForAll(created, "running", 180_000);
  }, 300_000);

  it(`pauses ${BURST} sessions at once and resumes them at once: every one ends as asked, none failed`, async () => {
    await db().tenantQuota.update({ where: { tenantId: env.tenant.id }, data: { maxRunningSessions: BURST } });
    const key = await freshKey();
    // Top up to BURST sessions (the burst above left at most BURST_QUOTA), a few at a time.
    for (let i = 0; created.length < BURST && i < 2 * BURST; i++) {
      const more = await Promise.all(Array.from({ length: Math.min(10, BURST - created.length) }, () => create(key)));
      expect(describeUnexpected(more)).toEqual([]);
      created.push(...more.filter((a) => a.status === 201).map((a) => a.body.id as string));
    }
    expect(created).toHaveLength(BURST);
    await waitForAll(created, "running", 180_000);

    const pauseKey = await freshKey();
    const paused = await allAtOnce(created, (id) => call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: pauseKey, params: { id } }));
    expect(paused.filter((a) => a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    await waitForAll(created, "paused", 180_000);

    const resumeKey = await freshKey();
    const resumed = await allAtOnce(created, (id) => call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: resumeKey, params: { id } }));
    expect(resumed.filter((a) => a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    await waitForAll(created, "running", 180_000);
    expect(await db().session.count({ where: { tenantId: env.tenant.id, state: "failed" } })).toBe(0);
  }, 600_000);
});
