// Limits of real sessions on a real runner: a full disk (diskMib) answers ENOSPC inside and is on
// the timeline, its files survive hibernate and wake; an OOM kill and a time-limit termination
// each leave a post-mortem (reason, peak memory, last log lines) on GET /sessions/{id} and on the
// timeline.
import { describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { notifyRunner } from "@/lib/runners/notify";
import { call } from "./helpers";
import { useRunnerAndTenant, waitForRunnerValue, waitForSessionState } from "./runner-process";

// The runner child process inherits this: its limit checks run on the sampling tick.
process.env.METRICS_SAMPLE_INTERVAL_MS = "1000";
const env = useRunnerAndTenant();
const MIB = 1024 * 1024;

type PostMortemBody = { reason: string; peakMemoryBytes: number | null; lastLines: { line: string }[]; message: string };

const waitFor = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number) =>
  waitForRunnerValue(env.runner, what, read, ok, timeoutMs);

async function createRunning(resources: Record<string, number>) {
  const created = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: env.tenant.key,
    body: { pool: env.runner.pool, resources, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForSessionState(env.runner, id, "running");
  return id;
}

const exec = (id: string, command: string[]) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command, timeoutMs: 60_000 } });
const getSession = (id: string) => call(sessionRoute.GET, { path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } });
const timeline = async (id: string) =>
  (await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, key: env.tenant.key, params: { id } })).body.data as { cause: string; fromState: string; toState: string; detail: PostMortemBody }[];
/** Log lines are written in batches: a post-mortem holds what the log has when it is recorded. */
const waitForLogLine = (id: string, line: string) =>
  waitFor(`"${line}" in the session log`, () => db().sessionLogLine.count({ where: { sessionId: id, line } }), (n) => n > 0);
const postMortemOf = async (id: string) => (await getSession(id)).body.postMortem as PostMortemBody | null;

describe("a session's limits", () => {
  it("answers ENOSPC past diskMib, shows the full disk on the timeline, and keeps the files through hibernate and wake", async () => {
    const id = await createRunning({ memoryMib: 128, diskMib: 64 });
    expect((await postMortemOf(id))).toBeNull();
    const fill = await exec(id, ["sh", "-c", "echo small > /workspace/kept; dd if=/dev/zero of=/workspace/big bs=1M count=128 2>&1; echo exit=$?"]);
    expect(fill.status).toBe(200);
    expect(fill.body.stdout).toMatch(/No space left on device/);

    const full = await waitFor("a disk_full post-mortem", () => postMortemOf(id), (p) => p?.reason === "disk_full");
    expect(full!.message).toMatch(/disk/);
    const event = (await timeline(id)).find((e) => e.cause === "disk_full");
    expect(event).toMatchObject({ fromState: "running", toState: "running" });

    // Room again, then hibernate and wake: the files come back into a new image.
    expect((await exec(id, ["rm", "/workspace/big"])).body.exitCode).toBe(0);
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await waitForSessionState(env.runner, id, "hibernated");
    const woken = await exec(id, ["sh", "-c", "cat /workspace/kept; df -k /workspace | tail -1"]);
    expect(woken.status).toBe(200);
    expect(woken.body.stdout).toMatch(/^small\n/);
    // Still its own filesystem of (about) diskMib: df's total, in KiB.
    const totalKib = Number(woken.body.stdout.split("\n")[1].trim().split(/\s+/)[1]);
    expect(totalKib * 1024).toBeLessThanOrEqual(64 * MIB);
  });

  it("records an OOM kill in a 64 MiB session: reason, peak memory and the last log lines", async () => {
    const id = await createRunning({ memoryMib: 64 });
    expect((await exec(id, ["sh", "-c", "echo before-the-hog"])).body.stdout).toBe("before-the-hog\n");
    await waitForLogLine(id, "before-the-hog");
    const hog = await exec(id, ["python3", "-c", "x = bytearray(512 * 1024 * 1024)"]);
    expect(hog.status).toBe(200);
    expect(hog.body.exitCode).toBe(137); // SIGKILL from the OOM killer

    const pm = await waitFor("an oom_kill post-mortem", () => postMortemOf(id), (p) => p?.reason === "oom_kill");
    expect(pm!.peakMemoryBytes).toBeGreaterThan(32 * MIB);
    expect(pm!.peakMemoryBytes).toBeLessThanOrEqual(64 * MIB);
    expect(pm!.lastLines.map((l) => l.line)).toContain("before-the-hog");
    expect((await timeline(id)).some((e) => e.cause === "oom_kill" && e.detail.reason === "oom_kill")).toBe(true);
    expect((await getSession(id)).body.state).toBe("running"); // only the hog died
  });

  it("records a fork refused at the pids limit", async () => {
    const id = await createRunning({ memoryMib: 256 });
    // More sleepers than the default limit of 256 processes: the shell's forks start failing.
    const forks = await exec(id, ["sh", "-c", "i=0; while [ $i -lt 300 ]; do sleep 30 & i=$((i+1)); done 2>/dev/null; echo started"]);
    expect(forks.status).toBe(200);
    const pm = await waitFor("a pids_limit post-mortem", () => postMortemOf(id), (p) => p?.reason === "pids_limit");
    expect(pm!.message).toMatch(/process limit/);
    expect((await timeline(id)).some((e) => e.cause === "pids_limit")).toBe(true);
  });

  it("records a time-limit termination with peak memory and the last log lines", async () => {
    const id = await createRunning({ memoryMib: 128 });
    expect((await exec(id, ["sh", "-c", "echo last-words"])).body.exitCode).toBe(0);
    await waitForLogLine(id, "last-words");
    // What the scheduler's lifetime rule does, for this one session only.
    await db().session.update({ where: { id }, data: { desiredState: "terminated", desiredCause: "lifetime" } });
    await notifyRunner(db(), env.runner.id);
    await waitForSessionState(env.runner, id, "terminated");

    const pm = await postMortemOf(id);
    expect(pm).toMatchObject({ reason: "lifetime" });
    expect(pm!.peakMemoryBytes).toBeGreaterThan(0);
    expect(pm!.lastLines.map((l) => l.line)).toContain("last-words");
    const events = await timeline(id);
    const at = events.findIndex((e) => e.cause === "lifetime" && e.detail.reason === "lifetime");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(events.findIndex((e) => e.toState === "terminated")).toBeGreaterThan(at);
  });
});
