// Spans the platform records about itself: every API request (continuing an incoming traceparent,
// answering with one, errors too) and every lifecycle step of a real session on a real runner
// (placement, start, exec, pause, resume, hibernate with its snapshot, wake, terminate), each
// joined to its session and, when an API request asked for it, inside that request's trace.
import { describe, expect, it } from "vitest";
import * as otlpTracesRoute from "@/app/api/otlp/v1/traces/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as sessionSpansRoute from "@/app/api/v1/sessions/[id]/spans/route";
import * as tracesRoute from "@/app/api/v1/traces/route";
import { db } from "@/lib/db/client";
import { spanWriter } from "@/lib/telemetry/platform-span";
import { newSpanId, newTraceId, parseTraceparent } from "@/lib/telemetry/traceparent";
import { call, createTestTenant } from "./helpers";
import { useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();
type Span = Awaited<ReturnType<typeof spansOf>>[number];

async function spansOf(traceId: string) {
  await spanWriter().flush();
  return db().span.findMany({ where: { traceId }, orderBy: { startNs: "asc" } });
}

/** Polls (bounded) until the trace holds a span named `name`: the runner writes its spans in batches. */
async function waitForSpan(traceId: string, name: string, timeoutMs = 30_000): Promise<Span> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await spansOf(traceId)).find((s) => s.name === name);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no span ${name} in trace ${traceId}: ${(await spansOf(traceId)).map((s) => s.name).join(", ")}\n${env.runner.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(env.runner, id, state, timeoutMs);

const traceparent = (traceId = newTraceId(), spanId = newSpanId()) => ({ traceId, spanId, header: `00-${traceId}-${spanId}-01` });
const attrs = (s: Span) => s.attributes as Record<string, unknown>;

describe("request spans", () => {
  it("continue an incoming traceparent and answer with the request's own", async () => {
    const incoming = traceparent();
    const res = await call(meRoute.GET, { path: "/api/v1/me", key: env.tenant.key, headers: { traceparent: incoming.header } });
    expect(res.status).toBe(200);
    const answered = parseTraceparent(res.headers.get("traceparent"));
    expect(answered?.traceId).toBe(incoming.traceId);
    expect(answered?.spanId).not.toBe(incoming.spanId);
    const [span] = await spansOf(incoming.traceId);
    expect(span).toMatchObject({
      tenantId: env.tenant.id, spanId: answered!.spanId, parentSpanId: incoming.spanId, name: "GET /api/v1/me", kind: "server", source: "platform", statusCode: "unset",
    });
    expect(attrs(span)).toMatchObject({ "http.method": "GET", "http.route": "/api/v1/me", "http.status_code": 200, "burrow.actor.type": "key" });
    expect(attrs(span)["burrow.api_key"]).toMatch(/^bur_/);
    expect(attrs(span)["burrow.request_id"]).toBe(res.headers.get("x-request-id"));
    expect(span.endNs).toBeGreaterThanOrEqual(span.startNs);
  });

  it("start a new trace for a missing or invalid traceparent, and answer errors with one too", async () => {
    for (const header of [undefined, "00-00000000000000000000000000000000-0000000000000001-01", "ff-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01", "garbage"]) {
      const res = await call(meRoute.GET, { path: "/api/v1/me", key: env.tenant.key, headers: header ? { traceparent: header } : {} });
      const answered = parseTraceparent(res.headers.get("traceparent"));
      expect(answered).not.toBeNull();
      const [span] = await spansOf(answered!.traceId);
      expect(span.parentSpanId).toBeNull();
    }
    const unauthorized = await call(meRoute.GET, { path: "/api/v1/me" });
    expect(unauthorized.status).toBe(401);
    expect(parseTraceparent(unauthorized.headers.get("traceparent"))).not.toBeNull();
    const b = await createTestTenant();
    const missing = await call(sessionRoute.GET, { path: "/api/v1/sessions/ses_00000000000000000000000000", key: b.key, params: { id: "ses_00000000000000000000000000" } });
    expect(missing.status).toBe(404);
    const span = (await spansOf(parseTraceparent(missing.headers.get("traceparent"))!.traceId))[0];
    expect(span).toMatchObject({ tenantId: b.id, sessionId: null, name: "GET /api/v1/sessions/{id}" });
    expect(attrs(span)["http.status_code"]).toBe(404);
  });
});

describe("read requests", () => {
  it("and OTLP exports can be left out of the traces list and a session's spans", async () => {
    const t = await createTestTenant();
    const read = await call(meRoute.GET, { path: "/api/v1/me", key: t.key });
    const readTrace = parseTraceparent(read.headers.get("traceparent"))!.traceId;
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: t.key, body: { pool: env.runner.pool } });
    const id = created.body.id as string;
    const writeTrace = parseTraceparent(created.headers.get("traceparent"))!.traceId;
    const exported = await call(otlpTracesRoute.POST, {
      method: "POST", path: "/api/otlp/v1/traces", key: t.key, rawBody: JSON.stringify({ resourceSpans: [] }), headers: { "content-type": "application/json" },
    });
    expect(exported.status).toBe(200);
    const exportTrace = parseTraceparent(exported.headers.get("traceparent"))!.traceId;
    const get = await call(sessionRoute.GET, { path: `/api/v1/sessions/${id}`, key: t.key, params: { id } });
    const getSpan = parseTraceparent(get.headers.get("traceparent"))!.spanId;
    await spanWriter().flush();

    const traces = async (q: string) => (await call(tracesRoute.GET, { path: `/api/v1/traces?limit=100${q}`, key: t.key })).body.data.map((x: { traceId: string }) => x.traceId);
    expect(await traces("")).toEqual(expect.arrayContaining([readTrace, writeTrace, exportTrace]));
    const withoutReads = await traces("&includeReads=false");
    expect(withoutReads).toContain(writeTrace);
    expect(withoutReads).not.toContain(readTrace);
    expect(withoutReads).not.toContain(exportTrace);

    const spans = async (q: string) => (await call(sessionSpansRoute.GET, { path: `/api/v1/sessions/${id}/spans${q}`, key: t.key, params: { id } })).body.data.map((s: { spanId: string }) => s.spanId);
    expect(await spans("")).toContain(getSpan);
    const sessionWithoutReads = await spans("?includeReads=false");
    expect(sessionWithoutReads).not.toContain(getSpan);
    expect(sessionWithoutReads.length).toBeGreaterThan(0); // placement, desired state, the runner's start
    await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: t.key, params: { id } });
    await waitForState(id, "terminated");
  });
});

describe("lifecycle spans of a real session", () => {
  it("placement, start, exec, pause, resume, hibernate (with its snapshot), wake and terminate, each in the trace of the request that asked", async () => {
    const key = env.tenant.key;
    const create = traceparent();
    const created = await call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key, headers: { traceparent: create.header },
      body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const requestSpanId = parseTraceparent(created.headers.get("traceparent"))!.spanId;

    const createRequest = await waitForSpan(create.traceId, "POST /api/v1/sessions");
    expect(createRequest).toMatchObject({ spanId: requestSpanId, parentSpanId: create.spanId, sessionId: id, kind: "server" });
    const placement = await waitForSpan(create.traceId, "session.placement");
    expect(placement).toMatchObject({ parentSpanId: requestSpanId, sessionId: id, tenantId: env.tenant.id });
    expect(attrs(placement)["runner.id"]).toBe(env.runner.id);
    const desired = await waitForSpan(create.traceId, "session.desired_state");
    expect(desired).toMatchObject({ parentSpanId: requestSpanId, sessionId: id });
    const start = await waitForSpan(create.traceId, "session.start");
    expect(start).toMatchObject({ parentSpanId: desired.spanId, sessionId: id, statusCode: "unset" });
    expect(attrs(start)).toMatchObject({ "session.id": id, "runner.id": env.runner.id, "burrow.cause": "api" });
    const sandbox = await waitForSpan(create.traceId, "sandbox.create");
    expect(sandbox).toMatchObject({ parentSpanId: start.spanId, sessionId: id });
    await waitForState(id, "running");

    // exec: the runner's span is a child of the API request's span, through the internal call's traceparent.
    const execTrace = traceparent();
    const ran = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key, params: { id }, headers: { traceparent: execTrace.header }, body: { command: ["sh", "-c", "exit 3"] } });
    expect(ran.body.exitCode).toBe(3);
    const execRequest = parseTraceparent(ran.headers.get("traceparent"))!;
    const execSpan = await waitForSpan(execTrace.traceId, "session.exec");
    expect(execSpan).toMatchObject({ parentSpanId: execRequest.spanId, sessionId: id, kind: "server" });
    expect(attrs(execSpan)).toMatchObject({ "process.exit_code": 3, "exec.timed_out": false });
    const execServer = (await spansOf(execTrace.traceId)).find((s) => s.spanId === execRequest.spanId)!;
    expect(execServer).toMatchObject({ name: "POST /api/v1/sessions/{id}/exec", sessionId: id });

    const step = async (route: typeof pauseRoute.POST, path: string, name: string, state: string) => {
      const t = traceparent();
      const res = await call(route, { method: path === "" ? "DELETE" : "POST", path: `/api/v1/sessions/${id}${path}`, key, params: { id }, headers: { traceparent: t.header } });
      expect(res.status).toBe(200);
      await waitForState(id, state);
      const span = await waitForSpan(t.traceId, name);
      expect(span.sessionId).toBe(id);
      expect(span.endNs).toBeGreaterThan(span.startNs);
      return { traceId: t.traceId, span };
    };
    await step(pauseRoute.POST, "/pause", "session.pause", "paused");
    await step(resumeRoute.POST, "/resume", "session.resume", "running");
    const hibernated = await step(hibernateRoute.POST, "/hibernate", "session.hibernate", "hibernated");
    const snapshot = await waitForSpan(hibernated.traceId, "session.snapshot");
    expect(snapshot.parentSpanId).toBe(hibernated.span.spanId);

    // An exec on a hibernated session wakes it: the wake is in the exec request's trace.
    const wakeTrace = traceparent();
    const woke = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key, params: { id }, headers: { traceparent: wakeTrace.header }, body: { command: ["true"] } });
    expect(woke.body.exitCode).toBe(0);
    const wake = await waitForSpan(wakeTrace.traceId, "session.wake");
    expect(wake.sessionId).toBe(id);
    // On the runner that hibernated it, the wake takes the files from its hibernate cache (no restore).
    expect((await waitForSpan(wakeTrace.traceId, "snapshot.cache")).parentSpanId).toBe(wake.spanId);
    await waitForSpan(wakeTrace.traceId, "session.exec");

    await step(sessionRoute.DELETE as typeof pauseRoute.POST, "", "session.terminate", "terminated");

    // Every span of the session is joined to it: none of these steps lost its session id.
    const names = new Set((await db().span.findMany({ where: { tenantId: env.tenant.id, sessionId: id }, select: { name: true } })).map((s) => s.name));
    for (const n of ["session.placement", "session.start", "session.exec", "session.pause", "session.resume", "session.hibernate", "session.snapshot", "session.wake", "session.terminate"]) {
      expect(names).toContain(n);
    }
  }, 150_000); // many real lifecycle steps, each waited for: generous on a loaded machine
});
