// Tenant B's credentials on tenant A's ids answer 404 on every route that takes an id, and list
// routes never show A's rows. The route table below must name every [id] route under app/api/v1.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as auditRoute from "@/app/api/v1/audit-log/route";
import * as invitationRoute from "@/app/api/v1/invitations/[id]/route";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as memberRoute from "@/app/api/v1/members/[id]/route";
import * as membersRoute from "@/app/api/v1/members/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as filesRoute from "@/app/api/v1/sessions/[id]/files/route";
import * as eventsRoute from "@/app/api/v1/sessions/[id]/events/route";
import * as metricsRoute from "@/app/api/v1/sessions/[id]/metrics/route";
import * as logsRoute from "@/app/api/v1/sessions/[id]/logs/route";
import * as sessionSnapshotsRoute from "@/app/api/v1/sessions/[id]/snapshots/route";
import * as sessionSpansRoute from "@/app/api/v1/sessions/[id]/spans/route";
import * as traceRoute from "@/app/api/v1/traces/[traceId]/route";
import * as tracesRoute from "@/app/api/v1/traces/route";
import * as terminalsRoute from "@/app/api/v1/sessions/[id]/terminals/route";
import * as terminalRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/route";
import * as terminalInputRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/input/route";
import * as terminalOutputRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/output/route";
import * as terminalResizeRoute from "@/app/api/v1/sessions/[id]/terminals/[terminalId]/resize/route";
import * as snapshotRoute from "@/app/api/v1/snapshots/[id]/route";
import * as templateRoute from "@/app/api/v1/templates/[id]/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as snapshotsRoute from "@/app/api/v1/snapshots/route";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { newSpanId, newTraceId } from "@/lib/telemetry/traceparent";
import { registerRunner } from "@/lib/runners/runner-registry";
import { call, createTestTenant, sessionCookie, uniqueSlug } from "./helpers";

type Handler = Parameters<typeof call>[0];
type Target = { route: string; method: string; handler: Handler; body?: unknown; query?: string; param?: string; params?: Record<string, string>; id: (a: Awaited<ReturnType<typeof tenantA>>) => string };

/** A well-formed terminal id: routes under a session are refused on the session, whatever it names. */
const A_TERMINAL_ID = newId("trm");

const idRoutes: Target[] = [
  { route: "api-keys/[id]", method: "DELETE", handler: keyRoute.DELETE, id: (a) => a.keyId },
  { route: "api-keys/[id]", method: "PATCH", handler: keyRoute.PATCH, body: { spendLimitCents: 100 }, id: (a) => a.keyId },
  { route: "members/[id]", method: "PATCH", handler: memberRoute.PATCH, body: { role: "viewer" }, id: (a) => a.membershipId },
  { route: "members/[id]", method: "DELETE", handler: memberRoute.DELETE, id: (a) => a.membershipId },
  { route: "invitations/[id]", method: "DELETE", handler: invitationRoute.DELETE, id: (a) => a.invitationId },
  { route: "sessions/[id]", method: "GET", handler: sessionRoute.GET, id: (a) => a.sessionId },
  { route: "sessions/[id]", method: "DELETE", handler: sessionRoute.DELETE, id: (a) => a.sessionId },
  { route: "sessions/[id]/pause", method: "POST", handler: pauseRoute.POST, id: (a) => a.sessionId },
  { route: "sessions/[id]/resume", method: "POST", handler: resumeRoute.POST, id: (a) => a.sessionId },
  { route: "sessions/[id]/hibernate", method: "POST", handler: hibernateRoute.POST, id: (a) => a.sessionId },
  { route: "sessions/[id]/exec", method: "POST", handler: execRoute.POST, body: { command: ["true"] }, id: (a) => a.sessionId },
  { route: "sessions/[id]/files", method: "GET", handler: filesRoute.GET, query: "?path=/etc/hostname", id: (a) => a.sessionId },
  { route: "sessions/[id]/events", method: "GET", handler: eventsRoute.GET, id: (a) => a.sessionId },
  { route: "sessions/[id]/metrics", method: "GET", handler: metricsRoute.GET, id: (a) => a.sessionId },
  { route: "sessions/[id]/logs", method: "GET", handler: logsRoute.GET, id: (a) => a.sessionId },
  { route: "sessions/[id]/logs", method: "GET", handler: logsRoute.GET, query: "?follow=true", id: (a) => a.sessionId },
  { route: "sessions/[id]/spans", method: "GET", handler: sessionSpansRoute.GET, id: (a) => a.sessionId },
  { route: "traces/[traceId]", method: "GET", handler: traceRoute.GET, param: "traceId", id: (a) => a.traceId },
  { route: "sessions/[id]/snapshots", method: "GET", handler: sessionSnapshotsRoute.GET, id: (a) => a.sessionId },
  { route: "sessions/[id]/snapshots", method: "POST", handler: sessionSnapshotsRoute.POST, id: (a) => a.sessionId },
  { route: "sessions/[id]/terminals", method: "POST", handler: terminalsRoute.POST, body: {}, id: (a) => a.sessionId },
  { route: "sessions/[id]/terminals/[terminalId]", method: "DELETE", handler: terminalRoute.DELETE, params: { terminalId: A_TERMINAL_ID }, id: (a) => a.sessionId },
  { route: "sessions/[id]/terminals/[terminalId]/input", method: "POST", handler: terminalInputRoute.POST, body: { data: "x" }, params: { terminalId: A_TERMINAL_ID }, id: (a) => a.sessionId },
  { route: "sessions/[id]/terminals/[terminalId]/output", method: "GET", handler: terminalOutputRoute.GET, params: { terminalId: A_TERMINAL_ID }, id: (a) => a.sessionId },
  { route: "sessions/[id]/terminals/[terminalId]/resize", method: "POST", handler: terminalResizeRoute.POST, body: { cols: 80, rows: 24 }, params: { terminalId: A_TERMINAL_ID }, id: (a) => a.sessionId },
  { route: "snapshots/[id]", method: "GET", handler: snapshotRoute.GET, id: (a) => a.snapshotId },
  { route: "snapshots/[id]", method: "DELETE", handler: snapshotRoute.DELETE, id: (a) => a.snapshotId },
  { route: "templates/[id]", method: "GET", handler: templateRoute.GET, id: (a) => a.templateId },
  { route: "templates/[id]", method: "PATCH", handler: templateRoute.PATCH, body: { vcpu: 2 }, id: (a) => a.templateId },
  { route: "templates/[id]", method: "DELETE", handler: templateRoute.DELETE, id: (a) => a.templateId },
];

async function tenantA() {
  const a = await createTestTenant();
  const invite = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: a.key, body: { role: "member" } });
  const membership = await db().membership.findFirstOrThrow({ where: { tenantId: a.id } });
  const pool = uniqueSlug("pool");
  await registerRunner({ name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test", vcpu: 8, memoryMib: 8192, gpus: 0, labels: { pool }, capabilities: {} });
  const session = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: a.key, body: { pool } });
  const snapshot = await db().snapshot.create({ data: { id: newId("snp"), tenantId: a.id, sessionId: session.body.id, reason: "manual", manifestHash: "0".repeat(64) } });
  const template = await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: a.key, body: { name: "tpl-a", vcpu: 1 } });
  const traceId = newTraceId();
  await db().span.create({ data: { tenantId: a.id, traceId, spanId: newSpanId(), sessionId: session.body.id, name: "a", kind: "internal", source: "otlp", startNs: BigInt(Date.now()) * 1_000_000n, endNs: BigInt(Date.now()) * 1_000_000n } });
  return {
    traceId,
    ...a, invitationId: invite.body.id as string, membershipId: membership.id, sessionId: session.body.id as string,
    snapshotId: snapshot.id, templateId: template.body.id as string,
  };
}

function idRouteFolders(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    if (rel.includes("[") && readdirSync(full).includes("route.ts")) out.push(rel);
    out.push(...idRouteFolders(full, rel));
  }
  return out;
}

describe("tenant isolation", () => {
  it("covers every [id] route under /api/v1", () => {
    const covered = new Set(idRoutes.map((r) => r.route));
    expect(idRouteFolders(path.resolve("app/api/v1")).sort()).toEqual([...covered].sort());
  });

  it.each(idRoutes.map((r) => [`${r.method} ${r.route}`, r] as const))("%s: another tenant's id answers 404 for a key and a cookie", async (_, target) => {
    const a = await tenantA();
    const b = await createTestTenant();
    const bCookie = await sessionCookie({ userId: b.userId, email: b.email });
    for (const auth of [{ key: b.key }, { cookie: bCookie, tenant: b.slug }]) {
      const id = target.id(a);
      const param = target.param ?? "id";
      const params = { [param]: id, ...target.params };
      const routePath = Object.entries(params).reduce((p, [k, v]) => p.replace(`[${k}]`, v), target.route);
      const res = await call(target.handler, { method: target.method, path: `/api/v1/${routePath}${target.query ?? ""}`, params, body: target.body, ...auth });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect(await db().apiKey.findUniqueOrThrow({ where: { id: a.keyId } })).toMatchObject({ revokedAt: null, spendLimitCents: null });
    expect((await db().membership.findUniqueOrThrow({ where: { id: a.membershipId } })).role).toBe("owner");
    expect((await db().invitation.findUniqueOrThrow({ where: { id: a.invitationId } })).revokedAt).toBeNull();
    expect((await db().session.findUniqueOrThrow({ where: { id: a.sessionId } })).desiredState).toBe("running");
    expect((await db().snapshot.findUniqueOrThrow({ where: { id: a.snapshotId } })).status).toBe("ready");
    expect((await db().template.findUniqueOrThrow({ where: { id: a.templateId } })).vcpu).toBe(1);
  });

  it("lists only the caller's own rows", async () => {
    const a = await tenantA();
    const b = await createTestTenant();
    const lists: [Handler, string][] = [
      [keysRoute.GET, "/api/v1/api-keys?limit=100"],
      [membersRoute.GET, "/api/v1/members?limit=100"],
      [invitationsRoute.GET, "/api/v1/invitations"],
      [auditRoute.GET, "/api/v1/audit-log?limit=100"],
      [sessionsRoute.GET, "/api/v1/sessions?limit=100"],
      [snapshotsRoute.GET, "/api/v1/snapshots?limit=100"],
      [templatesRoute.GET, "/api/v1/templates"],
      [tracesRoute.GET, "/api/v1/traces?limit=100"],
    ];
    for (const [handler, p] of lists) {
      const res = await call(handler, { path: p, key: b.key });
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const id of [a.keyId, a.membershipId, a.invitationId, a.id, a.userId, a.sessionId, a.snapshotId, a.templateId, a.traceId]) expect(text).not.toContain(id);
    }
  });

  it("a cookie user of tenant A cannot act in tenant B by naming it", async () => {
    const a = await tenantA();
    const b = await createTestTenant();
    const aCookie = await sessionCookie({ userId: a.userId, email: a.email });
    const res = await call(keysRoute.GET, { path: "/api/v1/api-keys", cookie: aCookie, tenant: b.slug });
    expect(res.status).toBe(404);
  });
});
