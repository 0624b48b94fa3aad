// A real runner worker (workers/runner) in a child process, serving its own pool, with its own
// DATA_DIR for sandboxes and snapshots. Tests place sessions on it with `pool`.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "@/lib/db/client";
import { afterAll, beforeAll } from "vitest";
import { createTestTenant, type TestTenant, uniqueSlug } from "./helpers";
import { waitFor } from "./wait-for";

export type TestRunner = { id: string; name: string; pool: string; dataDir: string; stop: () => Promise<void>; kill: () => Promise<void>; output: () => string };

/** env: extra settings for the runner (e.g. SANDBOX_UID_BASE). */
export async function startRunner(opts: { name?: string; pool?: string; dataDir?: string; vcpu?: number; nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<TestRunner> {
  const name = opts.name ?? uniqueSlug("runner");
  const pool = opts.pool ?? uniqueSlug("pool");
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "burrow-runner-"));
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", "workers/runner/index.ts"], {
    env: {
      ...process.env,
      RUNNER_NAME: name,
      RUNNER_LABELS: JSON.stringify({ pool }),
      RUNNER_VCPU: String(opts.vcpu ?? 16),
      RUNNER_MEMORY_MIB: "16384",
      DATA_DIR: dataDir,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  let id: string | undefined;
  while (!id && Date.now() < deadline && child.exitCode === null) {
    const row = await db().runner.findUnique({ where: { name } });
    if (row && row.status === "online" && output.includes("ready:")) id = row.id;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!id) {
    child.kill("SIGKILL");
    throw new Error(`runner did not register:\n${output}`);
  }
  return {
    id, name, pool, dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export function removeDataDir(dir: string) {
  // A sandbox the runner left behind (a session failed as lost keeps its container and mounts for
  // the orphan sweep) still holds mounts under dir, and rmdir would fail with EBUSY: its container
  // goes first, then every mount under dir, deepest first.
  const under = (p: unknown) => typeof p === "string" && p.startsWith(`${dir}/`);
  const listed = spawnSync("runc", ["list", "--format", "json"], { encoding: "utf8" });
  const containers = (JSON.parse(listed.stdout?.trim() || "null") ?? []) as { id: string; bundle: string }[];
  for (const c of containers) if (under(c.bundle)) spawnSync("runc", ["delete", "--force", c.id]);
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n").map((line) => line.split(" ")[1]).filter(under);
  for (const m of mounts.sort().reverse()) spawnSync("umount", ["-l", m]);
  rmSync(dir, { recursive: true, force: true });
}

/** Terminates every session of the tenant and waits (bounded) until none holds a sandbox. */
export async function terminateAllSessions(tenant: TestTenant): Promise<void> {
  const { call } = await import("./helpers");
  const sessionRoute = await import("@/app/api/v1/sessions/[id]/route");
  const { terminateUnplacedSessions } = await import("@/lib/snapshots/retention");
  const sessions = await db().session.findMany({ where: { tenantId: tenant.id, state: { not: "terminated" } } });
  for (const s of sessions) await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${s.id}`, key: tenant.key, params: { id: s.id } });
  await terminateUnplacedSessions({ tenantIds: [tenant.id] });
  for (let i = 0; i < 100 && (await db().session.count({ where: { tenantId: tenant.id, state: { notIn: ["terminated", "failed"] } } })); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * For a test file: a real runner and a tenant, started before its tests and cleaned up after.
 * Read them through the returned object (a test may restart the runner and replace it).
 */
export function useRunnerAndTenant(): { runner: TestRunner; tenant: TestTenant } {
  const state = {} as { runner: TestRunner; tenant: TestTenant };
  beforeAll(async () => {
    state.runner = await startRunner();
    state.tenant = await createTestTenant();
  });
  afterAll(async () => {
    await terminateAllSessions(state.tenant);
    if (process.env.DEBUG_RUNNER) console.log(state.runner.output());
    await state.runner.stop();
    removeDataDir(state.runner.dataDir);
  });
  return state;
}

/** A session created through the API on the runner's pool, with no idle policy, once it runs. */
export async function runningSessionOn(env: { runner: TestRunner; tenant: TestTenant }): Promise<string> {
  const { call } = await import("./helpers");
  const sessionsRoute = await import("@/app/api/v1/sessions/route");
  const res = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
  });
  if (res.status !== 201) throw new Error(`creating a session answered ${res.status}: ${JSON.stringify(res.body)}`);
  await waitForSessionState(env.runner, res.body.id, "running");
  return res.body.id as string;
}

/** Polls `read` until `ok` (every 100 ms, bounded); a timeout names the runner's output. */
export async function waitForRunnerValue<T>(runner: TestRunner, what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  try {
    const hit = await waitFor(async () => {
      const value = await read();
      return ok(value) ? { value } : null;
    }, { what, timeoutMs, intervalMs: 100 });
    return hit.value;
  } catch (err) {
    throw new Error(`${(err as Error).message}; runner output:\n${runner.output().slice(-3000)}`);
  }
}

/** Polls the session row until it is in `state`; a timeout (or `failed`) names the runner's output. */
export async function waitForSessionState(runner: TestRunner, id: string, state: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await db().session.findUniqueOrThrow({ where: { id } });
    if (s.state === state) return s;
    if (Date.now() > deadline || s.state === "failed") {
      throw new Error(`session ${id} is ${s.state} (wanted ${state}): ${JSON.stringify(s.failureReason ?? null)}\nrunner output:\n${runner.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type TestScheduler = { startedAt: Date; output: () => string; kill: () => Promise<void>; stop: () => Promise<void> };

/**
 * The real scheduler (workers/scheduler) in a child process, against the database of process.env;
 * resolves once the first run of every job is done. Only for a file with a Postgres of its own
 * (test/own-postgres.ts): its jobs are cluster-wide.
 */
export async function startScheduler(): Promise<TestScheduler> {
  const startedAt = new Date();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/scheduler/index.ts"], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!output.includes("first pass of every job done") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  if (!output.includes("first pass of every job done")) {
    child.kill("SIGKILL");
    throw new Error(`scheduler did not start:\n${output}`);
  }
  const signal = (sig: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { startedAt, output: () => output, kill: signal("SIGKILL"), stop: signal("SIGTERM") };
}
