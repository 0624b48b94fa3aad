// Reading a sleeping session's files with only read access (a viewer, a sessions:read key) never
// wakes it: a hibernated session's file comes from its latest snapshot, a paused one answers 409.
// A caller with sessions:write still wakes the session. Also: a sparse file keeps its holes
// through a real hibernate and wake.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as acceptRoute from "@/app/api/v1/invitations/accept/route";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as filesRoute from "@/app/api/v1/sessions/[id]/files/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { env as appEnv } from "@/lib/env";
import { signUp } from "@/lib/tenants";
import { call, createKey, createTestTenant, sessionCookie, type TestTenant, uniqueSlug } from "./helpers";
import { startRunner, terminateAllSessions, type TestRunner, waitForSessionState } from "./runner-process";

let runner: TestRunner;
let tenant: TestTenant;
let readKey: string;
let viewerCookie: string;

beforeAll(async () => {
  // The web side reads snapshots from DATA_DIR/snapshots, as under `npm start`: the runner shares it.
  runner = await startRunner({ dataDir: path.resolve(appEnv.DATA_DIR) });
  tenant = await createTestTenant();
  readKey = (await createKey(tenant.id, ["sessions:read"])).secret;
  const slug = uniqueSlug("viewer");
  const { user } = await signUp({ input: { email: `${slug}@example.test`, password: "long enough pw", tenantName: slug, tenantSlug: slug }, ip: null });
  viewerCookie = await sessionCookie({ userId: user.id, email: user.email });
  const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: tenant.key, body: { role: "viewer" } });
  const accepted = await call(acceptRoute.POST, { method: "POST", path: "/api/v1/invitations/accept", cookie: viewerCookie, body: { token: invite.body.token } });
  expect(accepted.status).toBe(200);
});

afterAll(async () => {
  await terminateAllSessions(tenant);
  await runner.stop(); // its DATA_DIR is the test run's, removed with it
});

type Caller = { key?: string; cookie?: string };
async function readFile(id: string, file: string, who: Caller) {
  const headers: Record<string, string> = who.key ? { authorization: `Bearer ${who.key}` } : { cookie: who.cookie!, "x-burrow-tenant": tenant.slug };
  const res = await filesRoute.GET(new Request(`http://127.0.0.1/api/v1/sessions/${id}/files?path=${encodeURIComponent(file)}`, { headers }), { params: Promise.resolve({ id }) });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, text: bytes.toString(), json: () => JSON.parse(bytes.toString()) };
}

const exec = async (id: string, script: string) => {
  const res = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command: ["sh", "-c", script] } });
  expect(res.body.exitCode, res.body.stderr).toBe(0);
  return res.body.stdout as string;
};

async function newSession() {
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { pool: runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const sleepMarks = async (id: string) => {
  const s = await db().session.findUniqueOrThrow({ where: { id } });
  return { state: s.state, desiredState: s.desiredState, events: await db().sessionEvent.count({ where: { sessionId: id } }) };
};

describe("reading a sleeping session's files", () => {
  it("serves a hibernated session's files from its snapshot to read-only callers, and wakes it only for sessions:write", async () => {
    const id = await newSession();
    await exec(id, "printf notes > /workspace/notes.txt; mkdir /workspace/dir; ln -s notes.txt /workspace/link; printf upper > /root/hello.txt; truncate -s 256M /workspace/sparse");
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } })).status).toBe(200);
    const hibernated = await waitForSessionState(runner, id, "hibernated", 60_000);
    const before = await sleepMarks(id);

    const notes = await readFile(id, "/workspace/notes.txt", { key: readKey });
    expect(notes.status).toBe(200);
    expect(notes.text).toBe("notes");
    expect(notes.headers.get("x-burrow-snapshot-id")).toBe(hibernated.snapshotId);
    const upper = await readFile(id, "/root/hello.txt", { cookie: viewerCookie });
    expect(upper.status).toBe(200);
    expect(upper.text).toBe("upper");
    expect((await readFile(id, "/workspace/missing", { key: readKey })).status).toBe(404);
    expect((await readFile(id, "/workspace/dir", { key: readKey })).status).toBe(400);
    // Through a symlink, or a template's own file: the snapshot cannot say; the session stays asleep.
    for (const file of ["/workspace/link", "/usr/bin/env"]) {
      const asleep = await readFile(id, file, { cookie: viewerCookie });
      expect(asleep.status, file).toBe(409);
      expect(asleep.json().error).toMatchObject({ code: "conflict", details: { state: "hibernated", reason: "session_asleep" } });
      expect(asleep.json().error.message).toMatch(/sessions:write/);
    }
    expect(await sleepMarks(id)).toEqual(before);
    const resumes = () => db().auditEvent.findMany({ where: { tenantId: tenant.id, action: "session.resumed", targetId: id } });
    expect(await resumes()).toEqual([]);

    // sessions:write wakes it, as before, and the wake is audited.
    const woken = await readFile(id, "/workspace/link", { key: tenant.key });
    expect(woken.status).toBe(200);
    expect(woken.text).toBe("notes");
    expect(woken.headers.get("x-burrow-snapshot-id")).toBeNull();
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");
    expect((await resumes()).map((e) => [e.actorType, e.actorId, e.metadata])).toEqual([["key", tenant.keyId, { from: "hibernated", wake: true }]]);
    // The 256 MiB sparse file came back with its holes (st_blocks, 512-byte units).
    const [size, blocks] = (await exec(id, "stat -c '%s %b' /workspace/sparse")).trim().split(" ").map(Number);
    expect(size).toBe(256 << 20);
    expect(blocks * 512).toBeLessThan(1 << 20);
  }, 150_000);

  it("answers 409 to a read-only caller on a paused session and leaves it paused", async () => {
    const id = await newSession();
    await exec(id, "printf kept > /workspace/a");
    expect((await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: tenant.key, params: { id } })).status).toBe(200);
    await waitForSessionState(runner, id, "paused");
    const before = await sleepMarks(id);
    const res = await readFile(id, "/workspace/a", { key: readKey });
    expect(res.status).toBe(409);
    expect(res.json().error).toMatchObject({ code: "conflict", details: { state: "paused", reason: "session_asleep" } });
    expect(await sleepMarks(id)).toEqual(before);
    const woken = await readFile(id, "/workspace/a", { key: tenant.key });
    expect(woken.text).toBe("kept");
  }, 90_000);
});
