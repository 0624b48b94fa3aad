// A host reboot, for one sandbox, with real runc: the runner dies, the runtime forgets the
// container (`runc delete --force`) and its root overlay is unmounted, while the session's files
// stay under DATA_DIR/sandboxes/<id>. The restarted runner must start the session again on those
// same files (byte for byte, inside and outside /workspace), in the state it was in, and say on
// the timeline that its processes were lost. Only without its files does it fall back: to its last
// snapshot, or failed (sandbox_lost).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import { db } from "@/lib/db/client";
import { RECOVERED_NOTE } from "@/lib/runners/reconcile-session";
import { unmountAllUnder } from "@/lib/sandbox/overlay-mount";
import { SANDBOX_LOST_REASON } from "@/lib/sessions/lifecycle-step";
import { call } from "./helpers";
import { runningSessionOn, startRunner, useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();

async function exec(id: string, script: string) {
  const res = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command: ["sh", "-c", script] } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { stdout: string; exitCode: number };
}

const action = (route: { POST: typeof pauseRoute.POST }, id: string, verb: string) =>
  call(route.POST, { method: "POST", path: `/api/v1/sessions/${id}/${verb}`, key: env.tenant.key, params: { id } });

const sandboxDir = (id: string) => path.join(env.runner.dataDir, "sandboxes", id);

/** Files inside and outside /workspace (random bytes, a sparse one, a symlink) and a process that a reboot ends. */
const WRITE_FILES = [
  "head -c 300000 /dev/urandom > /workspace/data.bin",
  "mkdir -p /workspace/deep/dir && echo nested > /workspace/deep/dir/n.txt",
  "head -c 50000 /dev/urandom > /root/outside.bin && ln -s /root/outside.bin /root/link",
  "echo conf > /etc/burrow-test.conf",
  "nohup sleep 1000 >/dev/null 2>&1 &",
].join(" && ");
/** How many of the `sleep 1000` that WRITE_FILES started run now. */
const SLEEPERS = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null | grep -c '^sleep 1000 ' || true";
const CHECKSUMS = "cd / && sha256sum workspace/data.bin workspace/deep/dir/n.txt root/outside.bin etc/burrow-test.conf && readlink /root/link";

/** The host reboots under the runner: runner gone, containers gone from the runtime, overlays unmounted; files stay. */
async function rebootHostFor(...ids: string[]): Promise<void> {
  await env.runner.kill();
  for (const id of ids) {
    execFileSync("runc", ["delete", "--force", `burrow-${id}`]);
    // A reboot unmounts everything: the root overlay and the disk image the files live on.
    await unmountAllUnder(sandboxDir(id));
    expect(execFileSync("runc", ["list", "-q"], { encoding: "utf8" }).split("\n")).not.toContain(`burrow-${id}`);
  }
}

const restartRunner = async () => {
  env.runner = await startRunner({ name: env.runner.name, pool: env.runner.pool, dataDir: env.runner.dataDir });
};

const runtimeStatus = (id: string) => (JSON.parse(execFileSync("runc", ["state", `burrow-${id}`], { encoding: "utf8" })) as { status: string }).status;

async function expectRecoveredOnce(id: string, from: string) {
  const events = await db().sessionEvent.findMany({ where: { sessionId: id, cause: "recovered" } });
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ fromState: from, toState: "running", detail: { reason: SANDBOX_LOST_REASON, note: RECOVERED_NOTE } });
  expect(await db().sessionEvent.count({ where: { sessionId: id, toState: { in: ["failed", "hibernated"] } } })).toBe(0);
}

describe("a host reboot under a session", () => {
  it("a running session comes back running on its own files, its processes gone", async () => {
    const id = await runningSessionOn(env);
    await exec(id, WRITE_FILES);
    const before = (await exec(id, CHECKSUMS)).stdout;
    expect((await exec(id, SLEEPERS)).stdout).toBe("1\n");
    await rebootHostFor(id);
    await restartRunner();
    await expect.poll(async () => (await db().sessionEvent.count({ where: { sessionId: id, cause: "recovered" } })), { timeout: 30_000 }).toBe(1);
    await waitForSessionState(env.runner, id, "running");
    await expectRecoveredOnce(id, "running");
    expect((await exec(id, CHECKSUMS)).stdout).toBe(before);
    expect((await exec(id, SLEEPERS)).stdout).toBe("0\n");
    expect(runtimeStatus(id)).toBe("running");
  });

  it("a paused session comes back paused on its own files", async () => {
    const id = await runningSessionOn(env);
    await exec(id, WRITE_FILES);
    const before = (await exec(id, CHECKSUMS)).stdout;
    expect((await action(pauseRoute, id, "pause")).status).toBeLessThan(300);
    await waitForSessionState(env.runner, id, "paused");
    await rebootHostFor(id);
    await restartRunner();
    await expect.poll(async () => (await db().sessionEvent.count({ where: { sessionId: id, cause: "recovered" } })), { timeout: 30_000 }).toBe(1);
    await waitForSessionState(env.runner, id, "paused");
    await expect.poll(() => runtimeStatus(id), { timeout: 30_000 }).toBe("paused");
    await expectRecoveredOnce(id, "paused");
    expect((await action(resumeRoute, id, "resume")).status).toBeLessThan(300);
    await waitForSessionState(env.runner, id, "running");
    expect((await exec(id, CHECKSUMS)).stdout).toBe(before);
  });

  it("without its files: back to its last snapshot if it has one, else failed (sandbox_lost)", async () => {
    const withSnapshot = await runningSessionOn(env);
    await exec(withSnapshot, "echo snapshotted > /workspace/old");
    expect((await action(hibernateRoute, withSnapshot, "hibernate")).status).toBeLessThan(300);
    await waitForSessionState(env.runner, withSnapshot, "hibernated");
    await exec(withSnapshot, "echo lost with the disk > /workspace/newer"); // wakes it
    const without = await runningSessionOn(env);
    await exec(without, "echo lost > /workspace/f");

    await rebootHostFor(withSnapshot, without);
    for (const id of [withSnapshot, without]) rmSync(sandboxDir(id), { recursive: true, force: true });
    await restartRunner();
    const rolledBack = await waitForSessionState(env.runner, withSnapshot, "running");
    expect((await exec(withSnapshot, "ls /workspace; cat /workspace/old")).stdout).toBe("old\nsnapshotted\n");
    const events = await db().sessionEvent.findMany({ where: { sessionId: withSnapshot, toState: "hibernated", cause: "error" } });
    expect(events.map((e) => e.detail)).toEqual([{ reason: SANDBOX_LOST_REASON, dataAsOf: rolledBack.snapshotId }]);

    await expect.poll(async () => (await db().session.findUniqueOrThrow({ where: { id: without } })).state, { timeout: 30_000 }).toBe("failed");
    expect((await db().session.findUniqueOrThrow({ where: { id: without } })).failureReason).toBe(SANDBOX_LOST_REASON);
  });
});
