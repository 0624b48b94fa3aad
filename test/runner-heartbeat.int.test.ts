// A busy runner is not a lost runner. Its heartbeats land while its own event loop is stuck in a
// long task (before: they were timers on that loop, queued behind its work in the shared pool, and
// a runner busy with 100+ sessions was declared lost with all of them). A heartbeat late by a beat
// changes nothing, and declareLostRunners only touches the runners it is given.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { declareLostRunners } from "@/lib/runners/declare-lost-runners";
import { type HeartbeatEvent, startHeartbeatThread } from "@/lib/runners/heartbeat-thread";
import { HEARTBEAT_INTERVAL_MS } from "@/lib/runners/liveness";
import { registerRunner } from "@/lib/runners/runner-registry";
import { call, createTestTenant, type TestTenant, uniqueSlug } from "./helpers";
import { removeDataDir, startRunner, terminateAllSessions, type TestRunner, waitForSessionState } from "./runner-process";

const BLOCK_MS = 12_000;

/**
 * Runs a busy loop of `ms` on the runner's main thread through its inspector (a stand-in for any
 * long task on its event loop). The client needs WebSocket, which Node 20 has behind a flag.
 */
function blockMainThread(inspectorUrl: string, ms: number): Promise<string> {
  const script = `
    const ws = new WebSocket(${JSON.stringify(inspectorUrl)});
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: "Runtime.evaluate", params: {
      expression: "process._rawDebug('main thread blocked'); { const end = Date.now() + ${ms}; while (Date.now() < end); } 'done'" } }));
    ws.onmessage = (m) => { if (JSON.parse(m.data).id === 1) { console.log(m.data); ws.close(); process.exit(0); } };
    ws.onerror = (e) => { console.error(String(e.message || e)); process.exit(1); };`;
  const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) => child.once("exit", () => resolve(out)));
}

/** A real runner with one running session of a fresh tenant, for `fn`; cleaned up after. */
async function withRunningSession(fn: (runner: TestRunner, tenant: TestTenant, sessionId: string) => Promise<void>) {
  const runner = await startRunner();
  const tenant = await createTestTenant();
  try {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { pool: runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
    await waitForSessionState(runner, created.body.id, "running");
    await fn(runner, tenant, created.body.id);
  } finally {
    await terminateAllSessions(tenant);
    await runner.stop();
    removeDataDir(runner.dataDir);
  }
}

async function heartbeatOf(runnerId: string) {
  return (await db().runner.findUniqueOrThrow({ where: { id: runnerId } })).lastHeartbeatAt;
}

describe("runner heartbeats", () => {
  it("keep landing while the runner's event loop is blocked by a long task", async () => {
    const runner = await startRunner({ nodeArgs: ["--inspect=127.0.0.1:0"] });
    try {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(runner.output())?.[1];
      expect(url, runner.output()).toBeTruthy();
      const blocked = blockMainThread(url!, BLOCK_MS);
      for (let i = 0; i < 200 && !runner.output().includes("main thread blocked"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(runner.output()).toContain("main thread blocked");
      const blockedAt = Date.now();
      // A heartbeat written after the block began, while it still holds (bounded well inside it).
      let beat = await heartbeatOf(runner.id);
      for (let i = 0; i < 80 && beat.getTime() <= blockedAt + HEARTBEAT_INTERVAL_MS; i++) {
        await new Promise((r) => setTimeout(r, 100));
        beat = await heartbeatOf(runner.id);
      }
      const stillBlocked = Date.now() < blockedAt + BLOCK_MS;
      expect(beat.getTime(), "no heartbeat landed while the main thread was busy").toBeGreaterThan(blockedAt + HEARTBEAT_INTERVAL_MS);
      expect(stillBlocked).toBe(true);
      expect(await blocked).toContain("done");
    } finally {
      await runner.stop();
      removeDataDir(runner.dataDir);
    }
  });

  it("late by one beat keeps its sessions; only the runners in scope are judged", async () => {
    await withRunningSession(async (runner, _tenant, id) => {
      const last = await heartbeatOf(runner.id);
      // A silent runner outside the scope: not judged.
      const silent = await registerRunner({ name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test", vcpu: 1, memoryMib: 512, gpus: 0, labels: {}, capabilities: {} }, new Date(Date.now() - 3_600_000));
      const oneMissed = new Date(last.getTime() + 2 * HEARTBEAT_INTERVAL_MS + 500);
      const result = await declareLostRunners({ runnerIds: [runner.id], observingSince: new Date(0), now: oneMissed });
      expect(result).toEqual({ lost: 0, hibernated: 0, failed: 0 });
      expect((await db().runner.findUniqueOrThrow({ where: { id: runner.id } })).status).toBe("online");
      expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");
      expect((await db().runner.findUniqueOrThrow({ where: { id: silent.id } })).status).toBe("online");
    });
  });

  it("fence a runner declared lost while alive: it registers again (new epoch), and the files of the sessions it lost are kept", async () => {
    await withRunningSession(async (runner, tenant, id) => {
      const wrote = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command: ["sh", "-c", "echo mine > /workspace/f"] } });
      expect(wrote.status).toBe(200);
      const before = await db().runner.findUniqueOrThrow({ where: { id: runner.id } });
      // Judged lost (say, by a scheduler cut off from it) although it runs on.
      const judged = await declareLostRunners({ runnerIds: [runner.id], observingSince: new Date(0), now: new Date(Date.now() + 60_000) });
      expect(judged).toMatchObject({ lost: 1, failed: 1 });
      let row = await db().runner.findUniqueOrThrow({ where: { id: runner.id } });
      for (let i = 0; i < 100 && row.epoch === before.epoch; i++) {
        await new Promise((r) => setTimeout(r, 100));
        row = await db().runner.findUniqueOrThrow({ where: { id: runner.id } });
      }
      expect(row, runner.output()).toMatchObject({ status: "online", epoch: before.epoch + 1 });
      expect(runner.output()).toContain("was declared lost while alive");
      expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("failed");
      const quarantine = path.join(runner.dataDir, "sandboxes", ".quarantine");
      let kept: string[] = [];
      for (let i = 0; i < 100 && kept.length === 0; i++) {
        kept = existsSync(quarantine) ? readdirSync(quarantine).filter((d) => d.startsWith(id)) : [];
        if (kept.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(kept, runner.output()).toHaveLength(1);
      expect(readFileSync(path.join(quarantine, kept[0], "workspace", "f"), "utf8")).toBe("mine\n");
    });
  });

  it("are withheld once the main thread is wedged for longer than the stall limit, and resume after", async () => {
    // Too small for any session, so other test files never get one placed on it.
    const row = await registerRunner({ name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test", vcpu: 0.01, memoryMib: 1, gpus: 0, labels: { pool: uniqueSlug("pool") }, capabilities: {} });
    const events: HeartbeatEvent[] = [];
    const thread = startHeartbeatThread({ databaseUrl: process.env.DATABASE_URL!, runnerId: row.id, epoch: row.epoch, intervalMs: 100, stallLimitMs: 1_500, onEvent: (e) => events.push(e) });
    try {
      for (let i = 0; i < 100 && (await heartbeatOf(row.id)).getTime() <= row.lastHeartbeatAt.getTime(); i++) await new Promise((r) => setTimeout(r, 50));
      expect((await heartbeatOf(row.id)).getTime()).toBeGreaterThan(row.lastHeartbeatAt.getTime());
      const end = Date.now() + 4_000; // this thread stuck: no ticks reach the heartbeat thread
      while (Date.now() < end);
      for (let i = 0; i < 100 && !events.some((e) => e.type === "error" && /resumed/.test(e.message)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(events.map((e) => (e.type === "error" ? e.message : e.type))).toEqual([
        "main thread unresponsive; heartbeats withheld",
        "main thread responsive again; heartbeats resumed",
      ]);
    } finally {
      await thread.stop();
      await db().runner.update({ where: { id: row.id }, data: { status: "offline" } });
    }
  });
});
