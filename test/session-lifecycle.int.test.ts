// Sessions on real sandboxes: a real runner worker, real runc. Create, exec, files, pause, resume,
// hibernate and wake (five cycles, every file checked each time), fork from a snapshot, terminate.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as filesRoute from "@/app/api/v1/sessions/[id]/files/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as snapshotsRoute from "@/app/api/v1/sessions/[id]/snapshots/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { SseParser } from "@/lib/api/sse";
import { db } from "@/lib/db/client";
import { call } from "./helpers";
import { useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(env.runner, id, state, timeoutMs);

const exec = (id: string, command: string[], extra: Record<string, unknown> = {}) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command, ...extra } });

async function newSession(body: Record<string, unknown> = {}) {
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, ...body } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe("sessions on real sandboxes", () => {
  it("runs sh, python3 and node, with cwd, env, stdin and a timeout", async () => {
    const id = await newSession({ env: { GREETING: "hello" } });
    const sh = await exec(id, ["sh", "-c", "echo $GREETING from $(pwd); echo oops >&2; exit 3"], { cwd: "/workspace" });
    expect(sh.status).toBe(200);
    expect(sh.body).toMatchObject({ exitCode: 3, stdout: "hello from /workspace\n", stderr: "oops\n", timedOut: false });
    expect((await exec(id, ["python3", "-c", "print(6*7)"])).body.stdout).toBe("42\n");
    expect((await exec(id, ["node", "-e", "console.log(process.version)"])).body.stdout).toMatch(/^v\d+/);
    expect((await exec(id, ["cat"], { stdin: "piped" })).body.stdout).toBe("piped");
    const slow = await exec(id, ["sleep", "30"], { timeoutMs: 300 });
    expect(slow.body.timedOut).toBe(true);
    const log = await db().auditEvent.findMany({ where: { tenantId: env.tenant.id, action: "session.exec", targetId: id } });
    expect(log.length).toBeGreaterThanOrEqual(5);
    expect(log.some((e) => (e.metadata as { exitCode?: number }).exitCode === 3)).toBe(true);
  });

  it("streams exec output as server-sent events, then the exit", async () => {
    const id = await newSession();
    const req = new Request(`http://127.0.0.1/api/v1/sessions/${id}/exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tenant.key}`, accept: "text/event-stream", "content-type": "application/json" },
      body: JSON.stringify({ command: ["sh", "-c", "echo one; sleep 0.2; echo two >&2; exit 4"] }),
    });
    const res = await execRoute.POST(req, { params: Promise.resolve({ id }) });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events: { event: string; data: { stream?: string; data?: string; exitCode?: number } }[] = [];
    const parser = new SseParser({ event: (e) => events.push({ event: e.event, data: JSON.parse(e.data) }) });
    parser.push(await res.text());
    parser.end();
    expect(events.filter((e) => e.event === "output").map((e) => [e.data.stream, e.data.data])).toEqual([["stdout", "one\n"], ["stderr", "two\n"]]);
    expect(events.at(-1)).toMatchObject({ event: "exit", data: { exitCode: 4 } });
  });

  it("uploads and downloads files, confined to the sandbox", async () => {
    const id = await newSession();
    const put = await call(filesRoute.PUT, {
      method: "PUT", path: `/api/v1/sessions/${id}/files?path=/workspace/data.bin`, key: env.tenant.key, params: { id },
      rawBody: "binary\u0000data", headers: { "content-type": "application/octet-stream" },
    });
    expect(put.status).toBe(200);
    const req = new Request(`http://127.0.0.1/api/v1/sessions/${id}/files?path=/workspace/data.bin`, { headers: { authorization: `Bearer ${env.tenant.key}` } });
    const got = await filesRoute.GET(req, { params: Promise.resolve({ id }) });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).toString()).toBe("binary\u0000data");
    const escape = await call(filesRoute.GET, { path: `/api/v1/sessions/${id}/files?path=/workspace/../../etc/shadow`, key: env.tenant.key, params: { id } });
    expect([400, 404]).toContain(escape.status);
    const relative = await call(filesRoute.GET, { path: `/api/v1/sessions/${id}/files?path=etc/passwd`, key: env.tenant.key, params: { id } });
    expect(relative.status).toBe(400);
  });

  it("pauses, and an exec on the paused session wakes it", async () => {
    const id = await newSession();
    await exec(id, ["sh", "-c", "echo kept > /workspace/a"]);
    expect((await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await waitForState(id, "paused");
    const res = await exec(id, ["cat", "/workspace/a"]);
    expect(res.body.stdout).toBe("kept\n");
    const events = await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, key: env.tenant.key, params: { id } });
    expect(events.body.data.map((e: { toState: string }) => e.toState)).toEqual(["pending", "starting", "running", "paused", "running"]);
  });

  it("survives five hibernate/wake cycles with every file intact", async () => {
    const id = await newSession();
    const files: Record<string, string> = {};
    for (let cycle = 0; cycle < 5; cycle++) {
      const name = `/workspace/cycle-${cycle}.txt`;
      files[name] = `cycle ${cycle} ${"x".repeat(cycle * 100)}`;
      files[`/root/home-${cycle}`] = `home ${cycle}`;
      const write = await exec(id, ["sh", "-c", `printf '%s' "$A" > ${name}; printf '%s' "$B" > /root/home-${cycle}`], { env: { A: files[name], B: files[`/root/home-${cycle}`] } });
      expect(write.body.exitCode).toBe(0);
      const hib = await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } });
      expect(hib.status).toBe(200);
      const hibernated = await waitForState(id, "hibernated");
      expect(hibernated.snapshotId).toMatch(/^snp_/);
      expect(hibernated.runnerId).toBeNull();
      for (const [file, content] of Object.entries(files)) {
        const read = await exec(id, ["cat", file]);
        expect(read.body.stdout, `${file} after wake ${cycle + 1}`).toBe(content);
      }
    }
    const lineage = await call(snapshotsRoute.GET, { path: `/api/v1/sessions/${id}/snapshots`, key: env.tenant.key, params: { id } });
    expect(lineage.body.data).toHaveLength(5);
    for (const [i, s] of lineage.body.data.entries()) expect(s.parentId).toBe(i === 0 ? null : lineage.body.data[i - 1].id);
  });

  it("forks a running session from a snapshot; both then evolve independently", async () => {
    const parent = await newSession();
    await exec(parent, ["sh", "-c", "echo base > /workspace/shared"]);
    const snap = await call(snapshotsRoute.POST, { method: "POST", path: `/api/v1/sessions/${parent}/snapshots`, key: env.tenant.key, params: { id: parent } });
    expect(snap.status).toBe(201);
    const child = await newSession({ fromSnapshot: snap.body.id });
    expect((await exec(child, ["cat", "/workspace/shared"])).body.stdout).toBe("base\n");
    await exec(child, ["sh", "-c", "echo child > /workspace/shared"]);
    await exec(parent, ["sh", "-c", "echo parent > /workspace/shared"]);
    expect((await exec(parent, ["cat", "/workspace/shared"])).body.stdout).toBe("parent\n");
    expect((await exec(child, ["cat", "/workspace/shared"])).body.stdout).toBe("child\n");
  });

  it("forks a paused session without waking it, and a hibernated one from its snapshot", async () => {
    const id = await newSession();
    await exec(id, ["sh", "-c", "echo frozen > /workspace/state"]);
    await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: env.tenant.key, params: { id } });
    await waitForState(id, "paused");
    const fromPaused = await call(snapshotsRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/snapshots`, key: env.tenant.key, params: { id } });
    expect(fromPaused.status).toBe(201);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("paused");
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } });
    const hibernated = await waitForState(id, "hibernated");
    const fromHibernated = await call(snapshotsRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/snapshots`, key: env.tenant.key, params: { id } });
    expect(fromHibernated.body.parentId).toBe(hibernated.snapshotId);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("hibernated");
    for (const snap of [fromPaused.body.id, fromHibernated.body.id]) {
      const fork = await newSession({ fromSnapshot: snap });
      expect((await exec(fork, ["cat", "/workspace/state"])).body.stdout).toBe("frozen\n");
    }
  });

  it("fails the wake from a corrupt snapshot with a clear reason, leaving the stored data alone", async () => {
    const id = await newSession();
    await exec(id, ["sh", "-c", "head -c 200000 /dev/urandom > /workspace/blob"]);
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } });
    await waitForState(id, "hibernated");
    // The runner keeps the files as its hibernate cache, which a wake there would use: without it
    // (as on another runner) the wake restores from the store.
    const cache = path.join(env.runner.dataDir, "sandboxes", id);
    for (let i = 0; i < 100 && !existsSync(path.join(cache, "hibernate-cache.json")); i++) await new Promise((r) => setTimeout(r, 50));
    rmSync(cache, { recursive: true, force: true });
    // Flip a byte in the middle of every pack of the runner's store.
    const packsDir = path.join(env.runner.dataDir, "snapshots", "packs");
    const packs = readdirSync(packsDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    expect(packs.length).toBeGreaterThan(0);
    for (const file of packs) {
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(file, bytes);
    }
    const res = await exec(id, ["true"]);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/failed/);
    const failed = await db().session.findUniqueOrThrow({ where: { id } });
    expect(failed.state).toBe("failed");
    expect(failed.failureReason).toMatch(/corrupt|not available/i);
    expect((await db().snapshot.findUniqueOrThrow({ where: { id: failed.snapshotId! } })).status).toBe("corrupt");
    for (const file of packs) expect(readFileSync(file).length).toBeGreaterThan(0);
  });

  it("terminates: the sandbox is gone and requests get 409", async () => {
    const id = await newSession();
    await exec(id, ["true"]);
    expect((await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } })).status).toBe(200);
    const done = await waitForState(id, "terminated");
    expect(done.terminatedAt).not.toBeNull();
    expect((await exec(id, ["true"])).status).toBe(409);
  });
});
