// The session timeline names who asked for each change (the person who clicked in the console, or
// the API key), not "the API"; and GET /sessions/{id}/events as server-sent events brings each
// committed transition to a console without polling.
import { describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { readEventStream, type SseEvent } from "@/lib/api/sse";
import { db } from "@/lib/db/client";
import { tenantDb } from "@/lib/db/tenant-scope";
import { followSession } from "@/lib/sessions/follow-session";
import { reconcileSession } from "@/lib/runners/reconcile-session";
import { observeContainer } from "@/lib/sessions/lifecycle-step";
import { recordTransition } from "@/lib/sessions/record-transition";
import type { SessionState } from "@/lib/sessions/state-machine";
import { call, sessionCookie } from "./helpers";
import { createMemoryBackend } from "./memory-backend";
import { sessionRowIn } from "./session-rows";

/** What the runner does once it has frozen the sandbox: record running → paused with the asked-for cause. */
async function runnerRecords(id: string, to: SessionState) {
  const row = await db().session.findUniqueOrThrow({ where: { id } });
  await recordTransition({ id, tenantId: row.tenantId, state: row.state as SessionState, stateChangedAt: row.stateChangedAt, lifetimeUsedSeconds: row.lifetimeUsedSeconds }, to, row.desiredCause as never);
}

async function lastEvent(id: string, auth: { key?: string; cookie?: string; tenant?: string }) {
  const res = await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, params: { id }, ...auth });
  expect(res.status).toBe(200);
  return res.body.data.at(-1);
}

describe("who asked, on the timeline", () => {
  it("a pause clicked in the console is labelled with the person's email", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const cookie = await sessionCookie(tenant);
    const res = await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, params: { id }, cookie, tenant: tenant.slug, body: {} });
    expect(res.status).toBe(200);
    await runnerRecords(id, "paused");
    const e = await lastEvent(id, { cookie, tenant: tenant.slug });
    expect(e).toMatchObject({ fromState: "running", toState: "paused", cause: "api", actor: tenant.email });
  });

  it("a pause through an API key names the key, and the session's creation names who created it", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const res = await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, params: { id }, key: tenant.key, body: {} });
    expect(res.status).toBe(200);
    await runnerRecords(id, "paused");
    const events = (await call(eventsRoute.GET, { path: `/api/v1/sessions/${id}/events`, params: { id }, key: tenant.key })).body.data;
    const asKey = events.at(-1);
    expect(asKey).toMatchObject({ toState: "paused", cause: "api" });
    expect(asKey.actor).toMatch(/^API key bur_/);
    expect(tenant.key.startsWith(asKey.actor.slice("API key ".length))).toBe(true);
    expect(events[0]).toMatchObject({ toState: "pending", cause: "api", actor: asKey.actor });
  });

  it("the platform's own causes carry no actor", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await db().session.update({ where: { id }, data: { desiredState: "paused", desiredCause: "idle", desiredBy: "someone@example.test" } });
    await runnerRecords(id, "paused");
    expect(await lastEvent(id, { key: tenant.key })).toMatchObject({ toState: "paused", cause: "idle", actor: null });
  });
});

describe("GET /sessions/{id}/events as server-sent events", () => {
  it("sends the session and its transitions, then each new transition as it commits", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const viaRoute = await eventsRoute.GET(new Request(`http://127.0.0.1/api/v1/sessions/${id}/events?follow=true`, {
      headers: { authorization: `Bearer ${tenant.key}` },
    }), { params: Promise.resolve({ id }) });
    expect(viaRoute.status).toBe(200);
    expect(viaRoute.headers.get("content-type")).toContain("text/event-stream");
    await viaRoute.body!.cancel();
    // No heartbeat in the test's time: what arrives was brought by the change's NOTIFY.
    const res = await followSession({ ctx: { tenantId: tenant.id, db: tenantDb(tenant.id) }, input: { id }, heartbeatMs: 3_600_000 });
    const received: SseEvent[] = [];
    const stream = readEventStream(res.body!);
    const next = async (check: (e: SseEvent) => boolean) => {
      for (;;) {
        const { value, done } = await stream.next();
        if (done) throw new Error("the stream ended");
        received.push(value);
        if (check(value)) return value;
      }
    };
    const first = await next((e) => e.event === "session");
    expect(JSON.parse(first.data)).toMatchObject({ id, state: "running" });
    expect(received.some((e) => e.event === "transition" && JSON.parse(e.data).toState === "pending")).toBe(true);

    await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, params: { id }, key: tenant.key, body: {} });
    const asked = await next((e) => e.event === "session" && JSON.parse(e.data).desiredState === "paused");
    expect(JSON.parse(asked.data).state).toBe("running");
    await runnerRecords(id, "paused");
    const paused = await next((e) => e.event === "transition" && JSON.parse(e.data).toState === "paused");
    expect(JSON.parse(paused.data)).toMatchObject({ fromState: "running", cause: "api" });
    const session = await next((e) => e.event === "session" && JSON.parse(e.data).state === "paused");
    expect(JSON.parse(session.data).desiredState).toBe("paused");
    await stream.return(undefined);
    await res.body!.cancel();
  });
});

describe("a fork's timeline", () => {
  it("says fork (from the parent session) on its first start, and wake only when woken later", async () => {
    const backend = createMemoryBackend();
    try {
      const { id: parent, runner, tenant } = await sessionRowIn("pending");
      const deps = { backend, runnerId: runner.id, sandboxEnv: () => ({}), log: () => {} };
      /** The runner's passes for one session (bounded), with the container observed as it does. */
      const converge = async (id: string) => {
        for (let i = 0; i < 4; i++) {
          const row = await db().session.findUniqueOrThrow({ where: { id } });
          if (row.state === row.desiredState) return row;
          await reconcileSession({ ...row, runnerId: runner.id }, deps, observeContainer(backend.statusOf(id)));
        }
        return db().session.findUniqueOrThrow({ where: { id } });
      };
      expect((await converge(parent)).state).toBe("running");
      await db().session.update({ where: { id: parent }, data: { desiredState: "hibernated" } });
      const hibernated = await converge(parent);
      expect(hibernated.state).toBe("hibernated");

      const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { fromSnapshot: hibernated.snapshotId } });
      expect(res.status).toBe(201);
      const fork = res.body.id as string;
      await db().session.update({ where: { id: fork }, data: { runnerId: runner.id } });
      expect((await converge(fork)).state).toBe("running");
      const events = (await call(eventsRoute.GET, { path: `/api/v1/sessions/${fork}/events`, params: { id: fork }, key: tenant.key })).body.data;
      expect(events.map((e: { toState: string; cause: string }) => `${e.toState}:${e.cause}`)).toEqual(["pending:fork", "starting:fork", "running:fork"]);
      expect(events[0].detail).toMatchObject({ fromSnapshot: hibernated.snapshotId, fromSession: parent });

      // Hibernated and woken again, the fork's wake is a wake.
      await db().session.update({ where: { id: fork }, data: { desiredState: "hibernated" } });
      expect((await converge(fork)).state).toBe("hibernated");
      await db().session.update({ where: { id: fork }, data: { desiredState: "running", runnerId: runner.id } });
      expect((await converge(fork)).state).toBe("running");
      const after = (await call(eventsRoute.GET, { path: `/api/v1/sessions/${fork}/events`, params: { id: fork }, key: tenant.key })).body.data;
      expect(after.slice(-2).map((e: { toState: string; cause: string }) => `${e.toState}:${e.cause}`)).toEqual(["starting:wake", "running:wake"]);
    } finally {
      backend.cleanup();
    }
  });
});
