// A runner that cannot run sandboxes registers as unhealthy with its reason: placement skips it, a
// session create that finds nothing else answers 503 with that reason (not "no runner is online"),
// and the Runners API shows it. Tenants never see the runner's address.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as runnersRoute from "@/app/api/v1/runners/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { registerRunner } from "@/lib/runners/runner-registry";
import { call, createTestTenant, uniqueSlug } from "./helpers";
import { sessionRowIn } from "./session-rows";
import { waitFor } from "./wait-for";

const REASON = "runc is not installed on the runner's host (as root: apt-get install -y --no-install-recommends runc)";
const ADDRESS = "http://10.7.7.7:7070";

function runnerIn(pool: string, opts: { unhealthyReason?: string; vcpu?: number; heardAt?: Date } = {}) {
  return registerRunner({
    name: uniqueSlug("runner"), address: ADDRESS, backend: "test", vcpu: opts.vcpu ?? 8, memoryMib: 8192, gpus: 0,
    labels: { pool }, capabilities: {}, unhealthyReason: opts.unhealthyReason,
  }, opts.heardAt);
}

const create = (key: string, pool: string) =>
  call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key, body: { pool, resources: { vcpu: 1, memoryMib: 256 } } });

describe("an unhealthy runner", () => {
  it("is the reason a session create gives, with a 503 and a code, and no address", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    const runner = await runnerIn(pool, { unhealthyReason: REASON });
    const res = await create(t.key, pool);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("unavailable");
    expect(res.body.error.message).toBe(`No runner can start sessions: runner ${runner.name}: ${REASON}`);
    expect(res.body.error.details).toMatchObject({ reason: "runner_unhealthy", runners: [{ name: runner.name, reason: REASON }] });
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect(JSON.stringify(res.body)).not.toContain("10.7.7.7");
    expect(await db().session.count({ where: { tenantId: t.id } })).toBe(0);
  });

  it("is shown with its reason in GET /api/v1/runners (and a healthy one with null)", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    const sick = await runnerIn(pool, { unhealthyReason: REASON });
    const well = await runnerIn(pool);
    const res = await call(runnersRoute.GET, { path: "/api/v1/runners", key: t.key });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.data.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(sick.id)).toMatchObject({ status: "online", unhealthyReason: REASON });
    expect(byId.get(well.id)).toMatchObject({ status: "online", unhealthyReason: null });
    expect(JSON.stringify(res.body)).not.toContain("10.7.7.7");
  });

  it("gets no session even with more room than a healthy runner, and a healthy registration clears its reason", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    const sick = await runnerIn(pool, { unhealthyReason: REASON, vcpu: 64 });
    const well = await runnerIn(pool, { vcpu: 2 });
    const first = await create(t.key, pool);
    expect(first.status).toBe(201);
    expect(first.body.runnerId).toBe(well.id);
    const again = await registerRunner({ name: sick.name, address: ADDRESS, backend: "test", vcpu: 64, memoryMib: 8192, gpus: 0, labels: { pool }, capabilities: {} });
    expect(again.unhealthyReason).toBeNull();
    expect((await create(t.key, pool)).body.runnerId).toBe(sick.id);
  });

  it("that stopped heartbeating is not a reason any more: no_runner", async () => {
    const t = await createTestTenant();
    const pool = uniqueSlug("pool");
    await runnerIn(pool, { unhealthyReason: REASON, heardAt: new Date(Date.now() - 3_600_000) });
    const res = await create(t.key, pool);
    expect(res.status).toBe(503);
    expect(res.body.error.details.reason).toBe("no_runner");
  });
});

describe("the runner worker on a host that cannot run sandboxes", () => {
  it("registers unhealthy with its reason, heartbeats, gives up the sessions it held, and goes offline when stopped", async () => {
    // A session on a runner row that the worker below takes over by name.
    const held = await sessionRowIn("running");
    const { name, labels } = held.runner;
    const pool = (labels as { pool: string }).pool;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "burrow-unhealthy-runner-"));
    let output = "";
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/runner/index.ts"], {
      env: { ...process.env, RUNNER_NAME: name, RUNNER_LABELS: JSON.stringify({ pool }), DATA_DIR: dataDir, SANDBOX_RUNTIME: "burrow-no-such-runtime" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const row = await waitFor(async () => {
        const r = await db().runner.findUnique({ where: { name } });
        return r?.unhealthyReason && r.epoch > held.runner.epoch ? r : null;
      }, { what: `the runner to register as unhealthy; output:\n${output}`, timeoutMs: 30_000, intervalMs: 100 });
      const expected = process.getuid?.() === 0 ? "burrow-no-such-runtime" : "the runner does not run as root";
      expect(row.unhealthyReason).toContain(expected);
      expect(row.status).toBe("online");

      const session = await waitFor(async () => {
        const s = await db().session.findUniqueOrThrow({ where: { id: held.id } });
        return s.state === "failed" ? s : null;
      }, { what: "the held session to be given up", timeoutMs: 10_000, intervalMs: 100 });
      expect(session.runnerId).toBeNull();

      const res = await create(held.tenant.key, pool);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain(expected);

      const beat = row.lastHeartbeatAt.getTime();
      await waitFor(async () => ((await db().runner.findUniqueOrThrow({ where: { name } })).lastHeartbeatAt.getTime() > beat), { what: "a heartbeat", timeoutMs: 15_000, intervalMs: 200 });
    } finally {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect((await db().runner.findUniqueOrThrow({ where: { name } })).status).toBe("offline");
  });
});
