// The whole stack killed with SIGKILL (runner, scheduler and Postgres) and left down 5 s, 20 s and
// 120 s, with running, paused and hibernated sessions and a fork, each holding files written after
// its last snapshot. Restarted in the order that lost data before (the scheduler's first lost-runner
// check ran before the runner had registered again: its sessions were failed or rolled back to their
// snapshot, and the runner's orphan sweep then deleted the intact containers with /workspace).
// Afterwards every session is in the state it was and every file is there, byte for byte.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db, disconnectDb } from "@/lib/db/client";
import { HEARTBEAT_TIMEOUT_SECONDS } from "@/lib/runners/liveness";
import { call, createTestTenant, type TestTenant } from "./helpers";
import { useOwnPostgres } from "./own-postgres";
import { removeDataDir, startRunner, startScheduler, terminateAllSessions, type TestRunner, type TestScheduler, waitForSessionState } from "./runner-process";

const postgres = useOwnPostgres("burrow-whole-stack-");
const FILE_BYTES = 256 * 1024;

type Held = { id: string; name: string; state: "running" | "paused" | "hibernated"; files: Map<string, Buffer> };

let tenant: TestTenant;
let runner: TestRunner;
let scheduler: TestScheduler;
const sessions: Held[] = [];
const figures = { restarts: 0, filesChecked: 0, lostFiles: 0 };

const post = (route: { POST: typeof execRoute.POST }, id: string, action: string, body?: unknown) =>
  call(route.POST, { method: "POST", path: `/api/v1/sessions/${id}/${action}`, key: tenant.key, params: { id }, body });

async function exec(id: string, command: string[], stdin?: string) {
  const res = await post(execRoute, id, "exec", { command, ...(stdin === undefined ? {} : { stdin }) });
  if (res.status !== 200 || res.body.exitCode !== 0) throw new Error(`exec ${command.join(" ")} in ${id}: ${res.status} ${JSON.stringify(res.body)}\n${runner.output().slice(-2000)}`);
  return res.body as { stdout: string };
}

async function writeFile(s: Held, name: string) {
  const bytes = randomBytes(FILE_BYTES);
  await exec(s.id, ["sh", "-c", `base64 -d > /workspace/${name}`], bytes.toString("base64"));
  s.files.set(name, bytes);
}

async function createSession(name: string, fromSnapshot?: string): Promise<Held> {
  const res = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: tenant.key,
    body: { pool: runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, ...(fromSnapshot ? { fromSnapshot } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await waitForSessionState(runner, res.body.id, "running", 60_000);
  const held: Held = { id: res.body.id, name, state: "running", files: new Map() };
  sessions.push(held);
  return held;
}

/** Hibernates (a snapshot of everything so far) and wakes it again with an exec. */
async function snapshotAndWake(s: Held) {
  expect((await post(hibernateRoute, s.id, "hibernate")).status).toBe(200);
  const hibernated = await waitForSessionState(runner, s.id, "hibernated", 60_000);
  await exec(s.id, ["true"]);
  return hibernated.snapshotId!;
}

beforeAll(async () => {
  tenant = await createTestTenant();
  scheduler = await startScheduler();
  runner = await startRunner();

  // Running and paused, each with a snapshot and a file written after it.
  const running = await createSession("running, snapshot + newer file");
  await writeFile(running, "before-snapshot");
  const snapshotId = await snapshotAndWake(running);
  await writeFile(running, "after-snapshot");
  const paused = await createSession("paused, snapshot + newer file");
  await writeFile(paused, "before-snapshot");
  await snapshotAndWake(paused);
  await writeFile(paused, "after-snapshot");
  // Without any snapshot (a lost runner fails these).
  const runningBare = await createSession("running, no snapshot");
  await writeFile(runningBare, "only-copy");
  const pausedBare = await createSession("paused, no snapshot");
  await writeFile(pausedBare, "only-copy");
  // A fork of the first one's snapshot, with a file of its own written after it started.
  const fork = await createSession("fork, newer file", snapshotId);
  fork.files.set("before-snapshot", running.files.get("before-snapshot")!);
  await writeFile(fork, "after-fork");
  // Hibernated: its files live in its snapshot.
  const hibernated = await createSession("hibernated");
  await writeFile(hibernated, "before-snapshot");
  await snapshotAndWake(hibernated);
  await writeFile(hibernated, "written-after-wake");

  for (const s of [paused, pausedBare]) {
    expect((await post(pauseRoute, s.id, "pause")).status).toBe(200);
    await waitForSessionState(runner, s.id, "paused");
    s.state = "paused";
  }
  expect((await post(hibernateRoute, hibernated.id, "hibernate")).status).toBe(200);
  await waitForSessionState(runner, hibernated.id, "hibernated", 60_000);
  hibernated.state = "hibernated";
}, 300_000);

afterAll(async () => {
  console.log(`[whole-stack restart] restarts: ${figures.restarts}, files checked: ${figures.filesChecked}, lost files: ${figures.lostFiles}`);
  await terminateAllSessions(tenant).catch(() => {});
  await runner?.stop();
  await scheduler?.stop();
  if (runner) removeDataDir(runner.dataDir);
}, 120_000);

/** Byte-for-byte, from the runner's disk (reading through the API would wake paused sessions). */
function checkFilesOnDisk(s: Held) {
  for (const [name, bytes] of s.files) {
    const file = path.join(runner.dataDir, "sandboxes", s.id, "disk", "workspace", name);
    let same = false;
    try {
      same = readFileSync(file).equals(bytes);
    } catch {
      same = false;
    }
    figures.filesChecked++;
    if (!same) figures.lostFiles++;
    expect(same, `${s.name}: ${name} is not as written`).toBe(true);
  }
}

async function statesNow() {
  const rows = await db().session.findMany({ where: { id: { in: sessions.map((s) => s.id) } }, select: { id: true, state: true } });
  return Object.fromEntries(sessions.map((s) => [s.name, rows.find((r) => r.id === s.id)?.state]));
}
const expectedStates = () => Object.fromEntries(sessions.map((s) => [s.name, s.state]));

describe("whole-stack restart", () => {
  it.each([5, 20, 120])("kill -9 of runner, scheduler and Postgres, down %i s: every session and file is as it was", async (downSeconds) => {
    await runner.kill();
    await scheduler.kill();
    await disconnectDb();
    await postgres.kill();
    await new Promise((r) => setTimeout(r, downSeconds * 1000));

    await postgres.restart();
    // The scheduler first, as it happened: its first lost-runner check runs before the runner is back.
    scheduler = await startScheduler();
    runner = await startRunner({ name: runner.name, pool: runner.pool, dataDir: runner.dataDir });
    figures.restarts++;
    const why = () => `\nscheduler:\n${scheduler.output().slice(-2000)}\nrunner:\n${runner.output().slice(-2000)}`;
    expect(await statesNow(), why()).toEqual(expectedStates());

    // Watch past the point where this scheduler could first call the runner lost, plus a job period.
    const until = scheduler.startedAt.getTime() + (HEARTBEAT_TIMEOUT_SECONDS + 6) * 1000;
    while (Date.now() < until) {
      expect(await statesNow(), why()).toEqual(expectedStates());
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const s of sessions) if (s.state !== "hibernated") checkFilesOnDisk(s);
    const runnerRow = await db().runner.findUniqueOrThrow({ where: { id: runner.id } });
    expect(runnerRow.status).toBe("online");
  }, 400_000);

  it("then reads every file back through the API, waking the paused and hibernated sessions", async () => {
    for (const s of sessions) {
      for (const [name, bytes] of s.files) {
        const { stdout } = await exec(s.id, ["sha256sum", `/workspace/${name}`]);
        figures.filesChecked++;
        const same = stdout.split(" ")[0] === (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex");
        if (!same) figures.lostFiles++;
        expect(same, `${s.name}: ${name}`).toBe(true);
      }
      expect((await db().session.findUniqueOrThrow({ where: { id: s.id } })).state).toBe("running");
    }
    expect(figures.lostFiles).toBe(0);
  }, 180_000);
});
