// Metering end to end on the database: session timelines written as session_events rows with
// chosen times, rolled up into usage_hours, read back exactly (to the second) and through
// GET /api/v1/usage; re-runs, concurrent runs and a run killed mid-way give the same rows.
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import * as usageRoute from "@/app/api/v1/usage/route";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { closedUsageHours, readClosedThrough, rollupUsage, sumUsageByMeter, CLOSE_GRACE_MS } from "@/lib/usage";
import { call, createKey, createTestTenant, type TestTenant } from "./helpers";
import { sessionRowIn } from "./session-rows";

const HOUR = 3_600_000;
const at = (hh: number, mm: number, ss: number) => new Date(Date.UTC(2026, 2, 10, hh, mm, ss)); // 2026-03-10, UTC
const FROM = at(8, 0, 0);
type Timeline = [state: string, at: Date][];

/** A session of `tenant` whose whole state timeline is `events` (the API's own event replaced). */
async function sessionWithTimeline(tenant: TestTenant, resources: { vcpu: number; memoryMib: number; gpus: number }, events: Timeline, extra: Record<string, unknown> = {}) {
  const { id } = await sessionRowIn(events.at(-1)![0], undefined, { ...resources, ...extra }, tenant);
  await db().sessionEvent.deleteMany({ where: { sessionId: id } });
  await db().sessionEvent.createMany({
    data: events.map(([toState, createdAt], i) => ({
      id: newId("sev", createdAt.getTime()), tenantId: tenant.id, sessionId: id, fromState: i ? events[i - 1][0] : null, toState, cause: "api", createdAt,
    })),
  });
  return id;
}

async function usageRows(tenantId: string) {
  const rows = await db().usageHour.findMany({ where: { tenantId }, orderBy: [{ subjectId: "asc" }, { meter: "asc" }, { hour: "asc" }] });
  return rows.map(({ computedAt: _, quantity, hour, ...r }) => ({ ...r, hour: hour.toISOString(), quantity: quantity.toFixed(6) }));
}

function byHour(rows: Awaited<ReturnType<typeof usageRows>>, subjectId: string, meter: string) {
  return Object.fromEntries(rows.filter((r) => r.subjectId === subjectId && r.meter === meter).map((r) => [r.hour.slice(11, 16), r.quantity]));
}

const getUsage = (key: string, query: string) => call(usageRoute.GET, { path: `/api/v1/usage?${query}`, key });

let tenant: TestTenant;
let main: string; // 2 vCPU, 1.5 GiB, 1 GPU, created with the tenant's API key
let consoleSession: string; // 1 vCPU, 256 MiB, no API key
let snapshotId: string;

beforeAll(async () => {
  // The scheduler has run before: closedThrough is recent, so no other test file's regular run
  // recomputes the back-dated hours below while these tests take them apart.
  // job-scope: all (what is tested is the full run; it only recomputes others' open hours correctly)
  await rollupUsage();
  tenant = await createTestTenant();
  // Running 90 min 15 s across two hour boundaries, paused 10 min, hibernated 2 h with a 3 GiB
  // snapshot, terminated.
  main = await sessionWithTimeline(tenant, { vcpu: 2, memoryMib: 1536, gpus: 1 }, [
    ["pending", at(9, 39, 59)], ["starting", at(9, 40, 0)], ["running", at(9, 40, 2)], ["paused", at(11, 10, 17)],
    ["hibernating", at(11, 20, 17)], ["hibernated", at(11, 20, 20)], ["terminating", at(13, 20, 20)], ["terminated", at(13, 20, 21)],
  ]);
  snapshotId = newId("snp");
  await db().snapshot.create({
    data: { id: snapshotId, tenantId: tenant.id, sessionId: main, reason: "hibernate", status: "deleted", storedBytes: 3n << 30n, createdAt: at(11, 20, 20), deletedAt: at(13, 20, 20) },
  });
  consoleSession = await sessionWithTimeline(tenant, { vcpu: 1, memoryMib: 256, gpus: 0 }, [
    ["starting", at(9, 59, 58)], ["running", at(10, 0, 0)], ["terminating", at(10, 0, 30)], ["terminated", at(10, 0, 31)],
  ], { apiKeyId: null });
  await rollupUsage({ tenantId: tenant.id, from: FROM });
});

describe("usage rollup", () => {
  it("meters the timeline exactly, to the second, split at each UTC hour", async () => {
    const rows = await usageRows(tenant.id);
    expect(byHour(rows, main, "vcpu_seconds")).toEqual({ "09:00": "2396.000000", "10:00": "7200.000000", "11:00": "1234.000000" });
    expect(byHour(rows, main, "gpu_seconds")).toEqual({ "09:00": "1198.000000", "10:00": "3600.000000", "11:00": "617.000000" });
    expect(byHour(rows, main, "memory_gib_seconds")).toEqual({ "09:00": "1797.000000", "10:00": "5400.000000", "11:00": "1825.500000" });
    expect(byHour(rows, snapshotId, "snapshot_gib_hours")).toEqual({ "11:00": "1.983333", "12:00": "3.000000", "13:00": "1.016667" });
    expect(byHour(rows, consoleSession, "vcpu_seconds")).toEqual({ "10:00": "30.000000" });
    expect(byHour(rows, consoleSession, "memory_gib_seconds")).toEqual({ "10:00": "7.500000" });
    expect(rows.filter((r) => r.subjectId === consoleSession && r.meter === "gpu_seconds")).toEqual([]);
    // Attribution: the session's template and creating key; the snapshot's come from its session.
    const snap = rows.find((r) => r.subjectId === snapshotId)!;
    expect(snap).toMatchObject({ sessionId: main, templateName: "base", apiKeyId: tenant.keyId, dimension: "" });
    expect(rows.find((r) => r.subjectId === consoleSession)).toMatchObject({ apiKeyId: null, sessionId: consoleSession });
  });

  it("sums per meter for billing, tenant-wide and per API key", async () => {
    const day = { from: at(0, 0, 0), to: new Date(at(0, 0, 0).getTime() + 24 * HOUR) };
    expect(await sumUsageByMeter({ tenantId: tenant.id, ...day })).toEqual({
      vcpu_seconds: "10860", memory_gib_seconds: "9030", gpu_seconds: "5415", snapshot_gib_hours: "6", network_egress_gib: "0",
    });
    expect(await sumUsageByMeter({ tenantId: tenant.id, ...day, apiKeyId: tenant.keyId })).toEqual({
      vcpu_seconds: "10830", memory_gib_seconds: "9022.5", gpu_seconds: "5415", snapshot_gib_hours: "6", network_egress_gib: "0",
    });
    // Hours count when they start in [from, to).
    expect(await sumUsageByMeter({ tenantId: tenant.id, from: at(10, 0, 0), to: at(11, 0, 0) })).toMatchObject({ vcpu_seconds: "7230", snapshot_gib_hours: "0" });
  });

  it("re-running the rollup changes nothing", async () => {
    const before = await usageRows(tenant.id);
    const computedAt = await db().usageHour.findMany({ where: { tenantId: tenant.id }, select: { subjectId: true, computedAt: true }, orderBy: [{ subjectId: "asc" }, { meter: "asc" }, { hour: "asc" }] });
    const again = await rollupUsage({ tenantId: tenant.id, from: FROM });
    expect(again).toMatchObject({ written: 0, deleted: 0, sessions: 2, snapshots: 1 });
    expect(await usageRows(tenant.id)).toEqual(before);
    // Not even rewritten with the same values.
    expect(await db().usageHour.findMany({ where: { tenantId: tenant.id }, select: { subjectId: true, computedAt: true }, orderBy: [{ subjectId: "asc" }, { meter: "asc" }, { hour: "asc" }] })).toEqual(computedAt);
  });

  it("a rollup killed after its first batch, then run again, gives the same rows as one clean run", async () => {
    const clean = await usageRows(tenant.id);
    // Start from nothing, plus one wrong row (as a stale open hour would be).
    await db().usageHour.deleteMany({ where: { tenantId: tenant.id } });
    await db().usageHour.createMany({
      data: [
        { subjectId: consoleSession, meter: "vcpu_seconds", hour: at(10, 0, 0), tenantId: tenant.id, sessionId: consoleSession, quantity: "999" },
        { subjectId: consoleSession, meter: "gpu_seconds", hour: at(11, 0, 0), tenantId: tenant.id, sessionId: consoleSession, quantity: "1" },
      ],
    });

    const child = spawn(process.execPath, ["--import", "tsx", "test/usage-rollup-child.ts"], {
      env: { ...process.env, ROLLUP_TENANT_ID: tenant.id, ROLLUP_FROM: FROM.toISOString() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const deadline = Date.now() + 30_000;
    while (!output.includes("batch committed") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await exited;
    expect(output).toContain("batch committed");
    expect(output).not.toContain("finished");

    // One subject (the first in id order) was recomputed before the kill; the rest is as it was.
    const partial = await usageRows(tenant.id);
    const firstSubject = [main, consoleSession].sort()[0];
    expect(partial.filter((r) => r.subjectId === firstSubject)).toEqual(clean.filter((r) => r.subjectId === firstSubject));
    expect(partial).not.toEqual(clean);

    await rollupUsage({ tenantId: tenant.id, from: FROM });
    expect(await usageRows(tenant.id)).toEqual(clean);
  });

  it("two rollups at the same time give the same rows as one", async () => {
    const clean = await usageRows(tenant.id);
    await db().usageHour.deleteMany({ where: { tenantId: tenant.id } });
    await Promise.all([rollupUsage({ tenantId: tenant.id, from: FROM, batchSize: 1 }), rollupUsage({ tenantId: tenant.id, from: FROM })]);
    expect(await usageRows(tenant.id)).toEqual(clean);
  });

  it("out-of-order and skewed event times give no negative or overlapping usage", async () => {
    const other = await createTestTenant();
    // Hibernated on runner A, woken on runner B whose clock is 30 s behind: B's events sort before A's last ones.
    const skewed = await sessionWithTimeline(other, { vcpu: 1, memoryMib: 1024, gpus: 0 }, [
      ["running", at(10, 0, 0)], ["hibernating", at(10, 10, 0)], ["hibernated", at(10, 10, 5)],
      ["starting", at(10, 9, 40)], ["running", at(10, 9, 45)], ["terminating", at(10, 20, 0)], ["terminated", at(10, 20, 1)],
    ]);
    // A stray event stamped after termination, and one before the session began.
    await db().sessionEvent.createMany({
      data: [
        { id: newId("sev"), tenantId: other.id, sessionId: skewed, fromState: "terminated", toState: "running", cause: "api", createdAt: at(10, 30, 0) },
        { id: newId("sev"), tenantId: other.id, sessionId: skewed, fromState: null, toState: "paused", cause: "api", createdAt: at(9, 59, 0) },
      ],
    });
    await rollupUsage({ tenantId: other.id, from: FROM });
    const rows = await usageRows(other.id);
    for (const r of rows) expect(Number(r.quantity)).toBeGreaterThan(0);
    // Sorted by time: paused 09:59:00–10:00:00, running 10:00:00–10:09:40 and 10:09:45–10:10:00,
    // then nothing billed until terminated; the event after it is ignored.
    expect(byHour(rows, skewed, "vcpu_seconds")).toEqual({ "10:00": "595.000000" });
    expect(byHour(rows, skewed, "memory_gib_seconds")).toEqual({ "09:00": "60.000000", "10:00": "595.000000" });
  });
});

describe("GET /api/v1/usage", () => {
  const range = `from=${at(0, 0, 0).toISOString()}&to=${at(23, 0, 0).toISOString()}`;

  it("per hour and meter, priced with the tenant's plan (free) per row", async () => {
    const res = await getUsage(tenant.key, `${range}&granularity=hour&groupBy=meter`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ granularity: "hour", groupBy: "meter", from: at(0, 0, 0).toISOString() });
    const gpu = res.body.data.filter((r: any) => r.meter === "gpu_seconds");
    // 1198 × $0.000583 = 69.8434 ¢ → 70; 3600 × … = 209.88 ¢ → 210; 617 × … = 35.9711 ¢ → 36.
    expect(gpu).toEqual([
      { start: at(9, 0, 0).toISOString(), key: "gpu_seconds", meter: "gpu_seconds", quantity: "1198", amountCents: 70 },
      { start: at(10, 0, 0).toISOString(), key: "gpu_seconds", meter: "gpu_seconds", quantity: "3600", amountCents: 210 },
      { start: at(11, 0, 0).toISOString(), key: "gpu_seconds", meter: "gpu_seconds", quantity: "617", amountCents: 36 },
    ]);
    expect(res.body.data.find((r: any) => r.meter === "vcpu_seconds" && r.start === at(10, 0, 0).toISOString())).toMatchObject({ quantity: "7230" });
  });

  it("per day (the sum of its hours), by meter, session, template and API key", async () => {
    const day = at(0, 0, 0).toISOString();
    const byMeter = await getUsage(tenant.key, `${range}&granularity=day`);
    expect(byMeter.body.data).toEqual([
      { start: day, key: "gpu_seconds", meter: "gpu_seconds", quantity: "5415", amountCents: 316 },
      { start: day, key: "memory_gib_seconds", meter: "memory_gib_seconds", quantity: "9030", amountCents: 4 },
      { start: day, key: "snapshot_gib_hours", meter: "snapshot_gib_hours", quantity: "6", amountCents: 0 },
      { start: day, key: "vcpu_seconds", meter: "vcpu_seconds", quantity: "10860", amountCents: 15 },
    ]);
    const bySession = await getUsage(tenant.key, `${range}&groupBy=session`);
    const sessionTotals = Object.fromEntries(bySession.body.data.map((r: any) => [`${r.key === main ? "main" : r.key === consoleSession ? "console" : r.key}/${r.meter}`, r.quantity]));
    expect(sessionTotals).toEqual({
      "main/gpu_seconds": "5415", "main/memory_gib_seconds": "9022.5", "main/snapshot_gib_hours": "6", "main/vcpu_seconds": "10830",
      "console/memory_gib_seconds": "7.5", "console/vcpu_seconds": "30",
    });
    const byTemplate = await getUsage(tenant.key, `${range}&groupBy=template`);
    expect(new Set(byTemplate.body.data.map((r: any) => r.key))).toEqual(new Set(["base"]));
    const byKey = await getUsage(tenant.key, `${range}&groupBy=apiKey`);
    expect(byKey.body.data.filter((r: any) => r.key === "console")).toEqual([
      { start: day, key: "console", meter: "memory_gib_seconds", quantity: "7.5", amountCents: 0 },
      { start: day, key: "console", meter: "vcpu_seconds", quantity: "30", amountCents: 0 },
    ]);
    expect(byKey.body.data.filter((r: any) => r.key === tenant.keyId).map((r: any) => r.quantity)).toEqual(["5415", "9022.5", "6", "10830"]);
  });

  it("defaults to the current month by day; another tenant sees none of it", async () => {
    const res = await getUsage(tenant.key, "");
    expect(res.status).toBe(200);
    const now = new Date();
    expect(res.body).toMatchObject({
      granularity: "day", groupBy: "meter",
      from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
    const stranger = await createTestTenant();
    const theirs = await getUsage(stranger.key, `${range}&groupBy=session`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
  });

  it("400 for bad parameters, 401 without credentials, 403 without billing:read", async () => {
    for (const q of ["granularity=week", "groupBy=tenant", "from=yesterday", `from=${at(12, 0, 0).toISOString()}&to=${at(11, 0, 0).toISOString()}`,
      "from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "limit=5"]) {
      const res = await getUsage(tenant.key, q);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await call(usageRoute.GET, { path: "/api/v1/usage" })).status).toBe(401);
    const sessionsOnly = await createKey(tenant.id, ["sessions:read"]);
    const res = await getUsage(sessionsOnly.secret, range);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });
});

describe("regular runs", () => {
  it("count a running session up to now, then close the hours that ended a grace period before the run", async () => {
    const t = await createTestTenant();
    const started = new Date(Date.now() - 90_000);
    const running = await sessionWithTimeline(t, { vcpu: 1, memoryMib: 1024, gpus: 0 }, [["starting", new Date(started.getTime() - 2000)], ["running", started]]);
    const now = new Date(started.getTime() + 90_000);
    await rollupUsage({ tenantId: t.id, now });
    const total = (await usageRows(t.id)).filter((r) => r.subjectId === running && r.meter === "vcpu_seconds").reduce((a, r) => a + Number(r.quantity), 0);
    expect(total).toBe(90);
    // A slower run as of an earlier time (overtaken by the one above) writes nothing over it.
    expect(await rollupUsage({ tenantId: t.id, now: new Date(now.getTime() - 30_000) })).toMatchObject({ written: 0, deleted: 0 });
    expect((await usageRows(t.id)).filter((r) => r.subjectId === running && r.meter === "vcpu_seconds").reduce((a, r) => a + Number(r.quantity), 0)).toBe(90);

    // A full run (every tenant, the database's clock) advances closedThrough and keeps the open hour
    // current; rows of no session or snapshot (fixtures written by hand) are left alone.
    const handWritten = { subjectId: `test_${newId("ses")}`, meter: "vcpu_seconds", hour: new Date(Math.floor(Date.now() / HOUR) * HOUR), tenantId: t.id, quantity: "12.5" };
    await db().usageHour.create({ data: handWritten });
    const before = Date.now();
    // job-scope: all (closedThrough advances only on a full run; others' open hours are recomputed correctly)
    const result = await rollupUsage();
    expect(await db().usageHour.count({ where: { subjectId: handWritten.subjectId } })).toBe(1);
    const closedThrough = await readClosedThrough();
    expect(closedThrough!.getTime()).toBe(Math.floor((result.now.getTime() - CLOSE_GRACE_MS) / HOUR) * HOUR);
    expect(result.closedThrough).toEqual(closedThrough);
    const after = (await usageRows(t.id)).filter((r) => r.subjectId === running && r.meter === "vcpu_seconds").reduce((a, r) => a + Number(r.quantity), 0);
    expect(after).toBeGreaterThanOrEqual((before - started.getTime()) / 1000 - 1);
    expect(after).toBeLessThanOrEqual((Date.now() - started.getTime()) / 1000 + 1);

    // The closed hours of the tenant above are listed for the Stripe push, one total per tenant-hour-meter.
    const closed = [];
    let after_: Parameters<typeof closedUsageHours>[0]["after"];
    for (let page = 0; page < 100; page++) {
      const { data, next } = await closedUsageHours({ since: at(0, 0, 0), after: after_, limit: 50 });
      closed.push(...data.filter((r) => r.tenantId === tenant.id));
      if (!next) break;
      after_ = next;
    }
    const gpu = closed.filter((r) => r.meter === "gpu_seconds").map((r) => [r.hour.toISOString().slice(11, 16), r.quantity]);
    expect(gpu).toEqual([["09:00", "1198"], ["10:00", "3600"], ["11:00", "617"]]);
    expect(closed.find((r) => r.meter === "vcpu_seconds" && r.hour.getTime() === at(10, 0, 0).getTime())?.quantity).toBe("7230");
  });
});
