// The web terminal on a real runner and real runc: a shell on a TTY (echo, tty, resize + stty),
// output resumed by Last-Event-ID, closed with its reason when the session pauses (and nothing
// left running on the host or in the sandbox), by its user, or when the shell exits; the API's
// 400/401/403/404 answers.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as terminalsRoute from "@/app/api/v1/sessions/[id]/terminals/route";
import * as terminalRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/route";
import * as inputRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/input/route";
import * as outputRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/output/route";
import * as resizeRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/resize/route";
import { SseParser, type SseEvent } from "@/lib/api/sse";
import { db } from "@/lib/db/client";
import { applyIdlePolicy } from "@/lib/sessions/apply-idle-policy";
import { call, createKey, createTestTenant } from "./helpers";
import { useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();
const WAIT_MS = 15_000;

async function newSession(idle: { pauseAfterSeconds: number | null; hibernateAfterSeconds: number | null } = { pauseAfterSeconds: null, hibernateAfterSeconds: null }) {
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(env.runner, id, state, timeoutMs);

const base = (id: string, tid: string) => `/api/v1/sessions/${id}/terminals/${tid}`;
const open = (id: string, body: unknown = { cols: 80, rows: 24 }, key = env.tenant.key) =>
  call(terminalsRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/terminals`, key, params: { id }, body });
const type = (id: string, tid: string, data: string, key = env.tenant.key) =>
  call(inputRoute.POST, { method: "POST", path: `${base(id, tid)}/input`, key, params: { id, terminalId: tid }, body: { data } });
const resize = (id: string, tid: string, body: unknown, key = env.tenant.key) =>
  call(resizeRoute.POST, { method: "POST", path: `${base(id, tid)}/resize`, key, params: { id, terminalId: tid }, body });
const close = (id: string, tid: string, key = env.tenant.key) =>
  call(terminalRoute.DELETE, { method: "DELETE", path: base(id, tid), key, params: { id, terminalId: tid } });


/** Reads the output stream in the background: decoded terminal text, every event, and waiters. */
async function watch(id: string, tid: string, opts: { lastEventId?: string; key?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.key ?? env.tenant.key}`, accept: "text/event-stream" };
  if (opts.lastEventId) headers["last-event-id"] = opts.lastEventId;
  const res = await outputRoute.GET(new Request(`http://127.0.0.1${base(id, tid)}/output`, { headers }), { params: Promise.resolve({ id, terminalId: tid }) });
  const state = { status: res.status, contentType: res.headers.get("content-type"), text: "", events: [] as SseEvent[], ended: false };
  if (res.status !== 200) return { ...state, until: async () => {}, stop: () => {} };
  const reader = res.body!.getReader();
  const parser = new SseParser({
    event: (e) => {
      state.events.push(e);
      if (e.event === "output") state.text += Buffer.from(JSON.parse(e.data).data, "base64").toString("utf8");
    },
  });
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) break;
      parser.push(value);
    }
    state.ended = true;
  })();
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + WAIT_MS;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`waited for ${what}; terminal showed:\n${state.text.slice(-2000)}\nevents: ${JSON.stringify(state.events.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return Object.assign(state, { until, stop: () => void reader.cancel().catch(() => {}) });
}

/** The session's terminal helpers and `runc exec`s on the host (not its runc delete, say). */
function hostProcesses(text: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(text) && (l.includes("pty-helper.py") || / exec /.test(l)));
}

function sandboxProcesses(id: string): string {
  return execFileSync("runc", ["ps", `burrow-${id}`], { encoding: "utf8" });
}

describe("web terminal", () => {
  it("runs a shell on a TTY: typed input, output, tty, resize", async () => {
    const id = await newSession();
    const opened = await open(id);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ sessionId: id, cols: 80, rows: 24 });
    const tid = opened.body.id as string;
    expect(tid).toMatch(/^trm_/);
    const out = await watch(id, tid);
    expect(out.contentType).toBe("text/event-stream");

    expect((await type(id, tid, "echo hello-$((6*7))\n")).status).toBe(204);
    await out.until("hello-42", () => /hello-42\r?\n/.test(out.text));
    await type(id, tid, "tty; pwd; id -u\n");
    await out.until("the tty", () => /\/dev\/pts\/\d+\r?\n\/workspace\r?\n0\r?\n/.test(out.text));
    expect((await resize(id, tid, { cols: 120, rows: 40 })).status).toBe(204);
    await type(id, tid, "stty size\n");
    await out.until("stty size", () => /40 120\r?\n/.test(out.text));

    // Output events carry their byte offsets; the ids are where the next one starts.
    const outputs = out.events.filter((e) => e.event === "output");
    for (let i = 1; i < outputs.length; i++) expect(JSON.parse(outputs[i].data).offset).toBe(Number(outputs[i - 1].id));
    out.stop();

    const opens = await db().auditEvent.findMany({ where: { tenantId: env.tenant.id, action: "session.terminal_opened", targetId: id } });
    expect(opens.map((e) => (e.metadata as { terminalId: string }).terminalId)).toEqual([tid]);
    expect((await close(id, tid)).status).toBe(200);
  });

  it("resumes the output after Last-Event-ID with no gap and no repeat", async () => {
    const id = await newSession();
    const tid = (await open(id)).body.id as string;
    const first = await watch(id, tid);
    await type(id, tid, "echo first-$((1+1))\n");
    await first.until("first-2", () => /first-2\r?\n/.test(first.text));
    await first.until("the prompt after it", () => /first-2\r?\n[^\n]*[#$] $/.test(first.text));
    first.stop();
    const lastId = first.events.filter((e) => e.event === "output").at(-1)!.id!;
    await type(id, tid, "echo second-$((2+1))\n");
    const resumed = await watch(id, tid, { lastEventId: lastId });
    await resumed.until("second-3", () => /second-3\r?\n/.test(resumed.text));
    const outputs = resumed.events.filter((e) => e.event === "output");
    expect(JSON.parse(outputs[0].data).offset).toBe(Number(lastId));
    expect(resumed.text).not.toContain("first-2");
    expect(resumed.text).toContain("echo second-$((2+1))");
    resumed.stop();
    await close(id, tid);
  });

  it("closes with 'session paused' when the session pauses, leaving nothing running; a new one wakes it", async () => {
    const id = await newSession();
    const tid = (await open(id)).body.id as string;
    const out = await watch(id, tid);
    await type(id, tid, "sleep 612 & sleep 613 | cat &\necho started-$((3*3))\n");
    await out.until("the background jobs", () => /started-9\r?\n/.test(out.text));
    expect(hostProcesses(`burrow-${id}`).some((l) => l.includes("pty-helper.py"))).toBe(true);
    expect(sandboxProcesses(id)).toContain("sleep 612");

    expect((await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await out.until("the closed event", () => out.events.some((e) => e.event === "closed"));
    expect(JSON.parse(out.events.at(-1)!.data)).toEqual({ reason: "session paused", exitCode: null });
    await out.until("the stream's end", () => out.ended);
    await waitForState(id, "paused");

    // No helper, no runc exec, no shell or job of the terminal left, on the host or in the sandbox.
    expect(hostProcesses(`burrow-${id}`)).toEqual([]);
    const inside = sandboxProcesses(id);
    for (const gone of ["bash", "sleep 612", "sleep 613", "cat"]) expect(inside).not.toContain(gone);

    // A viewer that comes back learns why; input is refused with the reason.
    const again = await watch(id, tid);
    await again.until("the closed event", () => again.ended);
    expect(again.events.at(-1)).toMatchObject({ event: "closed" });
    const typed = await type(id, tid, "true\n");
    expect(typed.status).toBe(409);
    expect(typed.body.error.message).toContain("session paused");

    const closedRows = await db().auditEvent.findMany({ where: { tenantId: env.tenant.id, action: "session.terminal_closed", targetId: id } });
    expect(closedRows).toHaveLength(1);
    expect(closedRows[0]).toMatchObject({ actorType: "system", metadata: { terminalId: tid, reason: "session paused" } });

    // Opening a terminal on the paused session wakes it, as exec does.
    const reopened = await open(id);
    expect(reopened.status).toBe(201);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");
    await close(id, reopened.body.id);
  });

  it("keeps the session active while open, and closes when the idle policy pauses it", async () => {
    const id = await newSession({ pauseAfterSeconds: 60, hibernateAfterSeconds: null });
    const tid = (await open(id)).body.id as string;
    const out = await watch(id, tid);
    const longAgo = new Date(Date.now() - 120_000);
    await db().session.update({ where: { id }, data: { lastActivityAt: longAgo } });
    // The runner marks the session active every 10 s while a terminal is open.
    const deadline = Date.now() + 15_000;
    while ((await db().session.findUniqueOrThrow({ where: { id } })).lastActivityAt <= longAgo) {
      if (Date.now() > deadline) throw new Error("an open terminal did not count as activity");
      await new Promise((r) => setTimeout(r, 100));
    }
    await applyIdlePolicy({ tenantIds: [env.tenant.id] });
    expect((await db().session.findUniqueOrThrow({ where: { id } })).desiredState).toBe("running");

    // Idle for real (the next mark is ~10 s away): the policy pauses it and the terminal says why.
    await db().session.update({ where: { id }, data: { lastActivityAt: longAgo } });
    await applyIdlePolicy({ tenantIds: [env.tenant.id] });
    await out.until("the stream's end", () => out.ended);
    expect(JSON.parse(out.events.at(-1)!.data)).toEqual({ reason: "session paused", exitCode: null });
    await waitForState(id, "paused");
  });

  it("closes with 'session hibernated' and 'session terminated'", async () => {
    const id = await newSession();
    const first = (await open(id)).body.id as string;
    const out = await watch(id, first);
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await out.until("the stream's end", () => out.ended);
    expect(JSON.parse(out.events.at(-1)!.data)).toEqual({ reason: "session hibernated", exitCode: null });
    await waitForState(id, "hibernated");

    const second = (await open(id)).body.id as string; // wakes it from the snapshot
    const out2 = await watch(id, second);
    expect((await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await out2.until("the stream's end", () => out2.ended);
    expect(JSON.parse(out2.events.at(-1)!.data)).toEqual({ reason: "session terminated", exitCode: null });
    expect(hostProcesses(`burrow-${id}`)).toEqual([]);
  });

  it("closes when its user closes it or when the shell exits", async () => {
    const id = await newSession();
    const tid = (await open(id)).body.id as string;
    const out = await watch(id, tid);
    await type(id, tid, "sleep 614 &\n");
    await out.until("the job", () => sandboxProcesses(id).includes("sleep 614"));
    const closed = await close(id, tid);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ id: tid, reason: "closed by its user" });
    await out.until("the stream's end", () => out.ended);
    expect(JSON.parse(out.events.at(-1)!.data)).toEqual({ reason: "closed by its user", exitCode: null });
    expect(sandboxProcesses(id)).not.toContain("sleep 614");
    expect(hostProcesses(`burrow-${id}`)).toEqual([]);
    const audit = await db().auditEvent.findMany({ where: { tenantId: env.tenant.id, action: "session.terminal_closed", targetId: id } });
    expect(audit.map((e) => [e.actorType, (e.metadata as { reason: string }).reason])).toEqual([["key", "closed by its user"]]);
    expect((await close(id, tid)).status).toBe(200); // again: still known, same answer

    const second = (await open(id)).body.id as string;
    const out2 = await watch(id, second);
    await type(id, second, "exit 3\n");
    await out2.until("the stream's end", () => out2.ended);
    expect(JSON.parse(out2.events.at(-1)!.data)).toEqual({ reason: "the shell exited with code 3", exitCode: 3 });
  });

  it("answers 400, 401, 403 and 404", async () => {
    const id = await newSession();
    const other = await newSession();
    const tid = (await open(id)).body.id as string;

    expect((await open(id, { cols: 0, rows: 24 })).status).toBe(400);
    expect((await open(id, { cols: 80, rows: 24, shell: "zsh" })).status).toBe(400);
    expect((await resize(id, tid, { cols: 80 })).status).toBe(400);
    expect((await resize(id, tid, { cols: 80, rows: 5000 })).status).toBe(400);
    expect((await type(id, tid, "")).status).toBe(400);
    expect((await call(inputRoute.POST, { method: "POST", path: `${base(id, tid)}/input`, key: env.tenant.key, params: { id, terminalId: tid }, body: { data: "!!", encoding: "base64" } })).status).toBe(400);

    const noAuth = await call(terminalsRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/terminals`, params: { id }, body: {} });
    expect(noAuth.status).toBe(401);
    expect((await watch(id, tid, { key: "bur_not_a_key" })).status).toBe(401);
    const readOnly = (await createKey(env.tenant.id, ["sessions:read"])).secret;
    expect((await open(id, {}, readOnly)).status).toBe(403);
    expect((await type(id, tid, "x", readOnly)).status).toBe(403);
    expect((await resize(id, tid, { cols: 80, rows: 24 }, readOnly)).status).toBe(403);
    expect((await close(id, tid, readOnly)).status).toBe(403);
    expect((await watch(id, tid, { key: readOnly })).status).toBe(403);

    // Another tenant: the session is not found; this session's terminal under another session: 404.
    const b = await createTestTenant();
    for (const res of [await open(id, {}, b.key), await type(id, tid, "x", b.key), await resize(id, tid, { cols: 80, rows: 24 }, b.key), await close(id, tid, b.key)]) {
      expect(res.status).toBe(404);
    }
    expect((await watch(id, tid, { key: b.key })).status).toBe(404);
    expect((await type(other, tid, "x")).status).toBe(404);
    expect((await close(other, tid)).status).toBe(404);
    expect((await watch(other, tid)).status).toBe(404);
    expect((await type(id, "trm_nope", "x")).status).toBe(404);

    // None of that touched the terminal.
    const out = await watch(id, tid);
    await type(id, tid, "echo still-$((5*5))\n");
    await out.until("still-25", () => /still-25\r?\n/.test(out.text));
    out.stop();
    await close(id, tid);
  });
});
