// OTLP from inside a sandbox, which has no network: the session's env names a loopback endpoint
// and its own telemetry token, the runner's relay in the sandbox's network namespace carries the
// export to the web app, and the spans and log lines land on the session. A plain `node -e`
// script posting OTLP JSON with fetch stands in for an SDK (the SDK packages are not visible
// inside the sandbox; test/otlp.int.test.ts runs the real SDK exporters).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as otlpLogsRoute from "@/app/api/otlp/v1/logs/route";
import * as otlpTracesRoute from "@/app/api/otlp/v1/traces/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as traceRoute from "@/app/api/v1/traces/[traceId]/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { sessionTelemetryToken } from "@/lib/telemetry/session-token";
import { newSpanId, newTraceId } from "@/lib/telemetry/traceparent";
import { call } from "./helpers";
import { startRouteServer, type RouteServer } from "./route-server";
import { startRunner, useRunnerAndTenant, waitForSessionState } from "./runner-process";

let server: RouteServer;
// Registered before the runner starts: the runner forwards its sandboxes' OTLP to this server.
beforeAll(async () => {
  server = await startRouteServer({ "/api/otlp/v1/traces": otlpTracesRoute.POST, "/api/otlp/v1/logs": otlpLogsRoute.POST });
  process.env.OTLP_FORWARD_URL = server.url;
});
const env = useRunnerAndTenant();
afterAll(async () => {
  delete process.env.OTLP_FORWARD_URL;
  await server.close();
});

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(env.runner, id, state, timeoutMs);

const exec = (id: string, command: string[]) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command, timeoutMs: 20_000 } });

// Inside the sandbox: POST one OTLP JSON body to $OTEL_EXPORTER_OTLP_ENDPOINT<path> with the
// headers from $OTEL_EXPORTER_OTLP_HEADERS, print the status and body.
const POST_OTLP = `
const [path, body] = process.argv.slice(1);
const headers = { "content-type": "application/json" };
for (const pair of (process.env.OTEL_EXPORTER_OTLP_HEADERS || "").split(",")) {
  const i = pair.indexOf("=");
  if (i > 0) headers[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
}
fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + path, { method: "POST", headers, body })
  .then(async (r) => console.log(r.status, await r.text()))
  .catch((e) => { console.log("failed", e.cause ? e.cause.code : e.message); process.exit(1); });
`;

function traceBody(traceId: string, name: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "in-sandbox" } }] }, scopeSpans: [{ spans: [{
    traceId, spanId: newSpanId(), name, kind: 1, startTimeUnixNano: String(now - 1_000_000n), endTimeUnixNano: String(now),
  }] }] }] });
}

describe("OTLP from inside a sandbox", () => {
  it("reaches Burrow through the relay, joined to the session by its token", async () => {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
    const id = created.body.id as string;
    await waitForState(id, "running");

    const printed = await exec(id, ["sh", "-c", "echo $OTEL_EXPORTER_OTLP_ENDPOINT; echo $OTEL_EXPORTER_OTLP_HEADERS; echo $OTEL_RESOURCE_ATTRIBUTES"]);
    expect(printed.body.stdout).toBe(`http://127.0.0.1:4318/api/otlp\nAuthorization=Bearer%20${sessionTelemetryToken(id)}\nsession.id=${id}\n`);
    // The token is not in the session's env as the API shows it.
    const shown = await call(sessionRoute.GET, { path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } });
    expect(JSON.stringify(shown.body)).not.toContain("burt_");

    const traceId = newTraceId();
    const sent = await exec(id, ["node", "-e", POST_OTLP, "/v1/traces", traceBody(traceId, "inside.sandbox")]);
    expect(sent.body.stdout.trim()).toBe("200 {}");
    const trace = await call(traceRoute.GET, { path: `/api/v1/traces/${traceId}`, key: env.tenant.key, params: { traceId } });
    expect(trace.body.spans).toEqual([expect.objectContaining({ name: "inside.sandbox", sessionId: id, serviceName: "in-sandbox", source: "otlp" })]);

    const logs = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), severityNumber: 17, body: { stringValue: "from inside" } }] }] }] });
    const sentLogs = await exec(id, ["node", "-e", POST_OTLP, "/v1/logs", logs]);
    expect(sentLogs.body.stdout.trim()).toBe("200 {}");
    expect(await db().sessionLogLine.findMany({ where: { sessionId: id, source: "otlp" }, select: { stream: true, line: true } })).toEqual([{ stream: "stderr", line: "from inside" }]);

    // Only the OTLP paths are relayed: the sandbox gains no way to the rest of the API.
    const other = await exec(id, ["node", "-e", POST_OTLP, "/../v1/me", "{}"]);
    expect(other.body.stdout).toMatch(/^404 /);

    // After hibernate and wake the sandbox is a new container; its relay follows.
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } })).status).toBe(200);
    await waitForState(id, "hibernated");
    const again = newTraceId();
    const afterWake = await exec(id, ["node", "-e", POST_OTLP, "/v1/traces", traceBody(again, "after.wake")]);
    expect(afterWake.body.stdout.trim()).toBe("200 {}");
    expect((await call(traceRoute.GET, { path: `/api/v1/traces/${again}`, key: env.tenant.key, params: { traceId: again } })).body.spans[0].sessionId).toBe(id);

    // A terminated session's token stops working.
    await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } });
    await waitForState(id, "terminated");
    const late = await fetch(`${server.url}/api/otlp/v1/traces`, {
      method: "POST", body: traceBody(newTraceId(), "late"), headers: { "content-type": "application/json", authorization: `Bearer ${sessionTelemetryToken(id)}` },
    });
    expect(late.status).toBe(401);
  });

  it("leaves no relay behind when the runner dies", async () => {
    const relays = () => {
      try {
        return execFileSync("pgrep", ["-f", `${env.runner.dataDir}/otlp-relay.sock`], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool } });
    await waitForState(created.body.id, "running");
    expect(relays()).toHaveLength(1); // one relay daemon serves every sandbox of the runner
    await env.runner.kill(); // SIGKILL: the daemon goes with it (PR_SET_PDEATHSIG)
    const deadline = Date.now() + 5000;
    while (relays().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(relays()).toEqual([]);
    // A runner again, to adopt the sandbox and clean up after the file.
    const { name, pool, dataDir } = env.runner;
    env.runner = await startRunner({ name, pool, dataDir });
  });
});
