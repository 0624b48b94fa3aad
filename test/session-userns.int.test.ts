// User namespaces through the whole stack: a real runner (SANDBOX_USERNS=auto). Root in a session is
// 0 inside and the range's base on the host; owners 0 and 1000 stay the same inside after hibernate
// + wake, and after the runner restarts with another range (wake and fork restore into it). A
// second runner would have its own DATA_DIR/snapshots, so the range change is a restart here; the
// backend test (sandbox-userns) restores one snapshot into two other ranges.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as filesRoute from "@/app/api/v1/sessions/[id]/files/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { call, createTestTenant, type TestTenant } from "./helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "./runner-process";

const BASE_A = 110_000;
const BASE_B = 220_000;
let runner: TestRunner;
let tenant: TestTenant;

beforeAll(async () => {
  [runner, tenant] = await Promise.all([startRunner({ env: { SANDBOX_USERNS: "auto", SANDBOX_UID_BASE: String(BASE_A) } }), createTestTenant()]);
}, 120_000);

afterAll(async () => {
  if (tenant) await terminateAllSessions(tenant);
  if (!runner) return;
  await runner.stop();
  removeDataDir(runner.dataDir);
});

async function expectRunnerWithUserns() {
  const row = await db().runner.findUniqueOrThrow({ where: { id: runner.id } });
  expect(row.capabilities).toMatchObject({ userNamespaces: true });
  expect(runner.output()).toMatch(/user namespaces on: root in a sandbox is host uid\/gid/);
}

const exec = (id: string, script: string) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command: ["sh", "-c", script] } });

async function newSession(pool: string, body: Record<string, unknown> = {}) {
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, ...body } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const OWNERS = "stat -c '%n %u:%g' /workspace/root-file /workspace/dev /workspace/dev/f /workspace/uploaded.txt /home/dev; id -u";
const EXPECTED = ["/workspace/root-file 0:0", "/workspace/dev 1000:1000", "/workspace/dev/f 1000:1000", "/workspace/uploaded.txt 0:0", "/home/dev 1000:1000", "0"];

describe("sessions in user namespaces", () => {
  it("runs root as the range's base on the host and keeps owners across hibernate, wake, and wake and fork in another range", async () => {
    await expectRunnerWithUserns();
    const id = await newSession(runner.pool);
    const made = await exec(id, "echo r > /workspace/root-file; mkdir /workspace/dev /home/dev; echo f > /workspace/dev/f; chown -R 1000:1000 /workspace/dev /home/dev");
    expect(made.body).toMatchObject({ exitCode: 0, stderr: "" });
    const put = await call(filesRoute.PUT, {
      method: "PUT", path: `/api/v1/sessions/${id}/files?path=/workspace/uploaded.txt`, key: tenant.key, params: { id },
      rawBody: "up", headers: { "content-type": "application/octet-stream" },
    });
    expect(put.status).toBe(200);
    expect((await exec(id, OWNERS)).body.stdout.trim().split("\n")).toEqual(EXPECTED);

    // As the host sees it: the init's uids, and the files' owners.
    const dir = path.join(runner.dataDir, "sandboxes", id);
    const initPid = Number(readFileSync(path.join(dir, "init.pid"), "utf8"));
    const uids = readFileSync(`/proc/${initPid}/status`, "utf8").match(/^Uid:\s+(.*)$/m)![1].split(/\s+/).map(Number);
    expect(uids).toEqual([BASE_A, BASE_A, BASE_A, BASE_A]);
    expect(statSync(path.join(dir, "disk/workspace/root-file"))).toMatchObject({ uid: BASE_A, gid: BASE_A });
    expect(statSync(path.join(dir, "disk/workspace/dev/f"))).toMatchObject({ uid: BASE_A + 1000, gid: BASE_A + 1000 });
    expect(statSync(path.join(dir, "disk/workspace/uploaded.txt"))).toMatchObject({ uid: BASE_A, gid: BASE_A });

    const hib = await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
    expect(hib.status).toBe(200);
    const hibernated = await waitForSessionState(runner, id, "hibernated");
    // Wake by an exec.
    expect((await exec(id, OWNERS)).body.stdout.trim().split("\n")).toEqual(EXPECTED);

    // Hibernate again, then the runner comes back with another range: wake and fork land in it.
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
    const again = await waitForSessionState(runner, id, "hibernated");
    const { name, pool, dataDir } = runner;
    await runner.stop();
    runner = await startRunner({ name, pool, dataDir, env: { SANDBOX_USERNS: "auto", SANDBOX_UID_BASE: String(BASE_B) } });
    await expectRunnerWithUserns();
    expect((await exec(id, OWNERS)).body.stdout.trim().split("\n")).toEqual(EXPECTED);
    expect(statSync(path.join(dir, "disk/workspace/dev/f"))).toMatchObject({ uid: BASE_B + 1000, gid: BASE_B + 1000 });
    const fork = await newSession(pool, { fromSnapshot: again.snapshotId });
    await waitForSessionState(runner, fork, "running");
    expect((await exec(fork, OWNERS)).body.stdout.trim().split("\n")).toEqual(EXPECTED);
    expect(statSync(path.join(dataDir, "sandboxes", fork, "disk/workspace/dev/f"))).toMatchObject({ uid: BASE_B + 1000, gid: BASE_B + 1000 });
    expect(statSync(path.join(dataDir, "sandboxes", fork, "disk/workspace/root-file"))).toMatchObject({ uid: BASE_B, gid: BASE_B });
  });
});
