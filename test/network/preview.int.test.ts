// Ports and preview URLs end to end: a real runner builds sandbox networks in the test world's
// runner-host namespace, a web app runs in a real sandbox, and the real preview proxy runs in that
// same namespace (ip netns exec), reaching the sandbox at its bridge address. Private by default
// (token header, one-time query → cookie), public ports, WebSocket and SSE passed through, wake
// on request from hibernated, the ports listing, 400s naming the field, and the proxy's caches
// honouring a port made private, a token removed and a session terminated within their stated times.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as pauseRoute from "@/app/api/v1/sessions/[id]/pause/route";
import * as portRoute from "@/app/api/v1/sessions/[id]/ports/[port]/route";
import * as portsRoute from "@/app/api/v1/sessions/[id]/ports/route";
import * as tokensRoute from "@/app/api/v1/sessions/[id]/preview-tokens/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { previewSettings } from "@/lib/env";
import { previewUrlOf } from "@/lib/preview";
import { netKeyOf } from "@/lib/network/sandbox-networking";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "../runner-process";
import { waitFor } from "../wait-for";
import { launchChromiumIn } from "./chromium-in-namespace";
import { networkSessionCalls } from "./network-session-calls";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";
import { proxyRequest, readEventStream, websocketEcho } from "./preview-client";
import { startPreviewProxy, type PreviewProxyProcess } from "./preview-proxy-process";
import { GRANT_CACHE_MS, SESSION_CACHE_MS } from "@/workers/preview-proxy/admit";

const execFileAsync = promisify(execFile);
let world: NetworkWorld;
let runner: TestRunner;
let proxy: PreviewProxyProcess;
let tenant: TestTenant;
/** The URL the API shows (the web app's settings: here the default, localhost:PORT+1). */
const urlOf = (id: string, port: number) => previewUrlOf(previewSettings(), id, port);
const APP = readFileSync(new URL("./preview-app.mjs", import.meta.url), "utf8");

beforeAll(async () => {
  world = createNetworkWorld();
  runner = await startRunner({ env: { SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns } });
  proxy = await startPreviewProxy(world.host);
  tenant = await createTestTenant();
}, 90_000);

afterAll(async () => {
  if (tenant) await terminateAllSessions(tenant);
  await proxy?.stop();
  await runner?.stop();
  if (runner) removeDataDir(runner.dataDir);
  world?.remove();
}, 60_000);

const create = async (network: unknown = { egress: "deny", allowOut: [], denyOut: [] }) => {
  const res = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { pool: runner.pool, network, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
  });
  expect(res.status).toBe(201);
  await waitForSessionState(runner, res.body.id, "running");
  return res.body.id as string;
};
const exec = async (id: string, script: string, stdin?: string) => {
  const res = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command: ["sh", "-c", script], timeoutMs: 20_000, ...(stdin ? { stdin } : {}) } });
  expect(res.status).toBe(200);
  return res.body as { exitCode: number; stdout: string; stderr: string };
};
const listPorts = (id: string, key = tenant.key) => call(portsRoute.GET, { method: "GET", path: `/api/v1/sessions/${id}/ports`, key, params: { id } });
const { previewToken: newToken } = networkSessionCalls(() => ({ key: tenant.key, pool: runner.pool }), 20_000);
const setPublic = (id: string, port: string, body: unknown, key = tenant.key) =>
  call(portRoute.PUT, { method: "PUT", path: `/api/v1/sessions/${id}/ports/${port}`, key, params: { id, port }, body });

/** A session running the app on 0.0.0.0:8000 and on 127.0.0.1:8001 (which the proxy cannot reach). */
async function sessionWithApp(): Promise<string> {
  const id = await create();
  await exec(id, "mkdir -p /workspace/.burrow && cat > /workspace/app.mjs", APP);
  await exec(id, "nohup node /workspace/app.mjs 8000 >/workspace/app.log 2>&1 & nohup node /workspace/app.mjs 8001 127.0.0.1 >/dev/null 2>&1 &");
  await waitFor(async () => (await listPorts(id)).body.data?.length === 2, { what: "the app listening on 8000 and 8001", timeoutMs: 15_000, intervalMs: 100 });
  return id;
}

describe("GET /sessions/{id}/ports", () => {
  it("lists the sandbox's listening TCP ports with their preview URLs; 404 for another tenant", async () => {
    const id = await sessionWithApp();
    const res = await listPorts(id);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe("running");
    expect(res.body.data).toEqual([
      { port: 8000, address: "0.0.0.0", listening: true, reachable: true, public: false, url: urlOf(id, 8000) },
      { port: 8001, address: "127.0.0.1", listening: true, reachable: false, public: false, url: urlOf(id, 8001) },
    ]);
    // Paused: read from /proc as it is, and it stays paused.
    await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: tenant.key, params: { id } });
    await waitForSessionState(runner, id, "paused");
    expect((await listPorts(id)).body.data.map((p: { port: number }) => p.port)).toEqual([8000, 8001]);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("paused");
    const other = await createTestTenant();
    expect((await listPorts(id, other.key)).status).toBe(404);
  }, 90_000);

  it("answers 400 naming the field for a bad port, body or expiry", async () => {
    const id = await create("none");
    const badPort = await setPublic(id, "http", { public: true });
    expect(badPort.status).toBe(400);
    expect(JSON.stringify(badPort.body.error.details.fields)).toContain("params.port");
    expect((await setPublic(id, "70000", { public: true })).status).toBe(400);
    const badBody = await setPublic(id, "8000", { public: "yes" });
    expect(badBody.status).toBe(400);
    expect(JSON.stringify(badBody.body.error.details.fields)).toContain("body.public");
    const badExpiry = await call(tokensRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/preview-tokens`, key: tenant.key, params: { id }, body: { expiresInSeconds: 5 } });
    expect(badExpiry.status).toBe(400);
    expect(JSON.stringify(badExpiry.body.error.details.fields)).toContain("body.expiresInSeconds");
  }, 60_000);
});

describe("the preview proxy", () => {
  it("serves a private port with a token (header, or query once → host cookie), refuses it without (401/403), and 404s what does not exist", async () => {
    const id = await sessionWithApp();
    const host = proxy.hostOf(8000, id);
    await db().session.update({ where: { id }, data: { lastActivityAt: new Date(Date.now() - 3_600_000) } });

    expect((await proxyRequest(proxy.socketPath, host)).status).toBe(401);
    expect((await proxyRequest(proxy.socketPath, host, "/", { "x-burrow-preview-token": "bpt_not-a-token" })).status).toBe(403);
    const token = await newToken(id);
    const ok = await proxyRequest(proxy.socketPath, host, "/", { "x-burrow-preview-token": token });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("hello from the sandbox on 8000");
    // A proxied request is activity for the idle policy.
    await waitFor(async () => (await db().session.findUniqueOrThrow({ where: { id } })).lastActivityAt.getTime() > Date.now() - 60_000, { what: "activity recorded", timeoutMs: 5_000 });

    // Our credentials never reach the sandbox's app.
    const echoed = JSON.parse((await proxyRequest(proxy.socketPath, host, "/headers", { "x-burrow-preview-token": token, cookie: "theirs=1; burrow_preview=x" })).body);
    expect(echoed.headers["x-burrow-preview-token"]).toBeUndefined();
    expect(echoed.headers.cookie).toBe("theirs=1");
    expect(echoed.headers.host).toBe(host);

    const exchanged = await proxyRequest(proxy.socketPath, host, `/headers?a=1&burrow_preview_token=${token}`);
    expect(exchanged.status).toBe(303);
    expect(exchanged.headers.location).toBe("/headers?a=1");
    const cookie = String(exchanged.headers["set-cookie"]);
    expect(cookie).toMatch(/^burrow_preview=bpt_[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/); // no Domain: this host only
    const withCookie = await proxyRequest(proxy.socketPath, host, "/headers?a=1", { cookie: cookie.split(";")[0] });
    expect(withCookie.status).toBe(200);
    expect(JSON.parse(withCookie.body).url).toBe("/headers?a=1");

    // The same over TCP inside the runner host, as a browser there would send it.
    // Asynchronously: the proxy's database connection runs through this process (the relay).
    const curl = await execFileAsync("ip", ["netns", "exec", world.host, "curl", "-sS", "-m", "10", "--resolve", `${host}:127.0.0.1`, "-H", `X-Burrow-Preview-Token: ${token}`, `http://${host}/`]);
    expect(curl.stdout).toContain("hello from the sandbox on 8000");

    // Nothing listens on 8001 at the sandbox's address (bound to its loopback): a clear 502.
    const loopbackOnly = await proxyRequest(proxy.socketPath, proxy.hostOf(8001, id), "/", { "x-burrow-preview-token": token, accept: "application/json" });
    expect(loopbackOnly.status).toBe(502);
    expect(JSON.parse(loopbackOnly.body).error.message).toContain("bind 0.0.0.0");

    // Unknown, another tenant's, terminated: the same 404, token or not.
    const unknown = await proxyRequest(proxy.socketPath, proxy.hostOf(8000, "ses_01JZZZZZZZZZZZZZZZZZZZZZZZ"));
    expect(unknown.status).toBe(404);
    const other = await createTestTenant();
    const otherSession = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: other.key, body: { pool: runner.pool, network: "none" } });
    const foreign = await proxyRequest(proxy.socketPath, proxy.hostOf(8000, otherSession.body.id), "/", { "x-burrow-preview-token": token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    await terminateAllSessions(other);
    const none = await create("none");
    const noneToken = await newToken(none);
    const noNetwork = await proxyRequest(proxy.socketPath, proxy.hostOf(8000, none), "/", { "x-burrow-preview-token": noneToken });
    expect(noNetwork.status).toBe(409);
    expect(noNetwork.body).toContain("network");
    await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${none}`, key: tenant.key, params: { id: none } });
    await waitForSessionState(runner, none, "terminated");
    await waitFor(async () => (await proxyRequest(proxy.socketPath, proxy.hostOf(8000, none), "/", { "x-burrow-preview-token": noneToken })).status === 404, { what: "404 once terminated", timeoutMs: 5_000, intervalMs: 200 });
  }, 120_000);

  it("serves a public port without a token (audited), and only that port", async () => {
    const id = await sessionWithApp();
    const made = await setPublic(id, "8000", { public: true });
    expect(made.status).toBe(200);
    expect(made.body).toEqual({ port: 8000, public: true, url: urlOf(id, 8000) });
    expect(made.body.url).toMatch(new RegExp(`^http://8000-${id.toLowerCase()}\\.localhost:\\d+$`));
    const audit = await db().auditEvent.findFirst({ where: { tenantId: tenant.id, action: "session.port_visibility_changed", targetId: id } });
    expect(audit?.metadata).toEqual({ port: 8000, public: true });
    await waitFor(async () => (await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id))).status === 200, { what: "the public port open", timeoutMs: 5_000, intervalMs: 200 });
    expect((await proxyRequest(proxy.socketPath, proxy.hostOf(8001, id))).status).toBe(401);
    expect((await listPorts(id)).body.data[0].public).toBe(true);
    expect((await setPublic(id, "8000", { public: false })).status).toBe(200);
    await waitFor(async () => (await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id))).status === 401, { what: "private again", timeoutMs: 5_000, intervalMs: 200 });
  }, 90_000);

  it("honours changes despite its caches: a port made private, a token revoked, a session terminated", async () => {
    const id = await sessionWithApp();
    const host = proxy.hostOf(8000, id);
    const token = await newToken(id);
    const withToken = { "x-burrow-preview-token": token };
    /** How long after `since` the proxy first answers `status` (polled every 25 ms, bounded). */
    const refusedAfter = async (status: number, headers: Record<string, string>, since: number, timeoutMs: number) => {
      await waitFor(async () => (await proxyRequest(proxy.socketPath, host, "/", headers)).status === status, { what: `${status} from the proxy`, timeoutMs, intervalMs: 25 });
      return Date.now() - since;
    };
    expect((await setPublic(id, "8000", { public: true })).status).toBe(200);
    await waitFor(async () => (await proxyRequest(proxy.socketPath, host)).status === 200, { what: "the public port open", timeoutMs: 5_000, intervalMs: 50 });
    // Served from the cache now (several requests within its lifetime), then made private:
    // refused once the change's NOTIFY arrives, and within SESSION_CACHE_MS even without it.
    for (let i = 0; i < 5; i++) expect((await proxyRequest(proxy.socketPath, host)).status).toBe(200);
    const madePrivate = Date.now();
    expect((await setPublic(id, "8000", { public: false })).status).toBe(200);
    const privateMs = await refusedAfter(401, {}, madePrivate, SESSION_CACHE_MS + 500);
    console.log(`port made private: refused ${privateMs} ms after the change`);

    // A token that is gone (revoked: its row deleted) is refused within GRANT_CACHE_MS.
    for (let i = 0; i < 5; i++) expect((await proxyRequest(proxy.socketPath, host, "/", withToken)).status).toBe(200);
    const revoked = Date.now();
    await db().previewToken.deleteMany({ where: { sessionId: id } });
    const revokedMs = await refusedAfter(403, withToken, revoked, GRANT_CACHE_MS + 1_000);
    console.log(`token revoked: refused ${revokedMs} ms after the change`);

    // A terminated session answers 404 as soon as the terminate is recorded (its NOTIFY).
    const other = await newToken(id);
    expect((await proxyRequest(proxy.socketPath, host, "/", { "x-burrow-preview-token": other })).status).toBe(200);
    const terminated = Date.now();
    expect((await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: tenant.key, params: { id } })).status).toBeLessThan(300);
    const goneMs = await refusedAfter(404, { "x-burrow-preview-token": other }, terminated, SESSION_CACHE_MS + 500);
    console.log(`session terminated: 404 ${goneMs} ms after the request`);
  }, 90_000);

  it("passes a WebSocket echo and a server-sent event stream through as they come", async () => {
    const id = await sessionWithApp();
    const token = await newToken(id);
    const host = proxy.hostOf(8000, id);
    const ws = await websocketEcho(proxy.socketPath, host, "ping through the proxy", { "x-burrow-preview-token": token });
    expect(ws).toEqual({ status: 101, reply: "echo: ping through the proxy" });
    expect((await websocketEcho(proxy.socketPath, host, "x", {})).status).toBe(401);

    const sse = await readEventStream(proxy.socketPath, host, "/events", { "x-burrow-preview-token": token });
    expect(sse.status).toBe(200);
    expect(sse.contentType).toBe("text/event-stream");
    expect(sse.events.map((e) => e.data)).toEqual(["tick 1", "tick 2", "tick 3"]);
    // Each event arrived when it was sent (200 ms apart), not all at the end.
    expect(sse.events[2].atMs - sse.events[0].atMs).toBeGreaterThanOrEqual(300);
  }, 90_000);

  it("wakes a hibernated session on a request, holds it until the port answers, then serves it", async () => {
    const id = await create();
    await exec(id, "mkdir -p /workspace/.burrow && cat > /workspace/app.mjs", APP);
    // Processes do not survive a hibernate: the on-start hook serves the app again after the wake.
    await exec(id, "printf '#!/bin/sh\\nexec node /workspace/app.mjs 8000\\n' > /workspace/.burrow/on-start && chmod +x /workspace/.burrow/on-start");
    const token = await newToken(id);
    // Served once before it sleeps: the proxy then holds a kept-alive connection to a sandbox that
    // goes away without a reset, at an address its next start may get again.
    await exec(id, "nohup /workspace/.burrow/on-start >/dev/null 2>&1 &");
    await waitFor(async () => (await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id), "/", { "x-burrow-preview-token": token })).status === 200, { what: "the app served before hibernating", timeoutMs: 15_000, intervalMs: 200 });
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
    await waitForSessionState(runner, id, "hibernated");
    expect((await db().session.findUniqueOrThrow({ where: { id } })).sandboxAddress).toBeNull();
    // The sandbox is deleted right after the state is recorded: wait until it is gone.
    await waitFor(async () => !(await execFileAsync("ip", ["netns", "list"])).stdout.includes(`burrow-${netKeyOf(id)}`), { what: "the sandbox's namespace removed", timeoutMs: 10_000, intervalMs: 100 });

    const started = Date.now();
    const res = await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id), "/", { "x-burrow-preview-token": token });
    console.log(`preview request to a hibernated session answered ${res.status} after ${Date.now() - started} ms`);
    if (res.status !== 200) console.log(`in the sandbox: ${JSON.stringify(await exec(id, "cat /workspace/.burrow/on-start.log; ls -la /workspace/.burrow; cat /proc/net/tcp; ps -ef 2>/dev/null || ls /proc"))}`);
    if (res.status !== 200) console.log(`proxy output:\n${proxy.output().slice(-2000)}\nrunner output:\n${runner.output().slice(-3000)}\nsession: ${JSON.stringify(await db().session.findUniqueOrThrow({ where: { id }, select: { state: true, desiredState: true, sandboxAddress: true, runnerId: true, stateChangedAt: true } }))}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("hello from the sandbox on 8000");
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row.state).toBe("running");
    expect(row.sandboxAddress).toMatch(/^10\.88\./);
    const audit = await db().auditEvent.findFirst({ where: { tenantId: tenant.id, action: "session.resumed", targetId: id } });
    expect(audit?.metadata).toEqual({ from: "hibernated", wake: true });
    expect(audit?.actorLabel).toContain("preview proxy (preview token pvt_");
  }, 120_000);

  it("opens a preview in a real browser (Chromium in the runner host's namespace): the token link once, then the cookie", async () => {
    const id = await sessionWithApp();
    const token = await newToken(id);
    const { browser, close } = await launchChromiumIn(world.host);
    try {
      const page = await browser.newPage();
      const url = `http://${proxy.hostOf(8000, id)}`;
      const first = await page.goto(`${url}/?burrow_preview_token=${token}`);
      expect(first?.status()).toBe(200);
      expect(page.url()).toBe(`${url}/`); // the token is gone from the address bar
      await expect.poll(() => page.textContent("h1")).toBe("hello from the sandbox on 8000");
      const again = await page.goto(`${url}/headers`);
      expect(again?.status()).toBe(200);
      expect(JSON.parse(await page.innerText("body")).headers.cookie).toBeUndefined(); // our cookie stays with us
      const otherPort = await page.goto(`http://${proxy.hostOf(8001, id)}/`);
      expect(otherPort?.status()).toBe(401); // the cookie belongs to the 8000 host only
    } finally {
      await close();
    }
  }, 120_000);

  it("answers a clear 503 when the woken session's port does not answer in time", async () => {
    const short = await startPreviewProxy(world.host, { port: 4002, wakeTimeoutMs: 2_000 });
    try {
      const id = await create(); // nothing will listen on 8000 in it
      const token = await newToken(id);
      await call(pauseRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/pause`, key: tenant.key, params: { id } });
      await waitForSessionState(runner, id, "paused");
      const res = await proxyRequest(short.socketPath, short.hostOf(8000, id), "/", { "x-burrow-preview-token": token });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.body).toContain("Nothing answered on port 8000 within 2 s of waking the session");
      expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running"); // woken all the same
    } finally {
      await short.stop();
    }
  }, 60_000);

  // Last: the second runner takes every placement from here on.
  it("follows a session that wakes on another runner (the session id is the affinity key; the address is read again)", async () => {
    const id = await create();
    await exec(id, "mkdir -p /workspace/.burrow && cat > /workspace/app.mjs", APP);
    await exec(id, "printf '#!/bin/sh\\nexec node /workspace/app.mjs 8000\\n' > /workspace/.burrow/on-start && chmod +x /workspace/.burrow/on-start");
    const token = await newToken(id);
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
    await waitForSessionState(runner, id, "hibernated");
    // The first runner keeps the session's files as its hibernate cache and placement would prefer
    // it; the hint is dropped, as when that runner has no room, so the wake goes where there is most.
    await db().session.update({ where: { id }, data: { cacheRunnerId: null } });
    // A second runner host on the same machine: its own bridge, table and range; more free vCPU, so the wake lands there.
    // Snapshots are shared as runners on one host share DATA_DIR/snapshots (or a bucket): a link here.
    const secondDir = mkdtempSync(path.join(os.tmpdir(), "burrow-runner-"));
    symlinkSync(path.join(runner.dataDir, "snapshots"), path.join(secondDir, "snapshots"));
    const second = await startRunner({
      pool: runner.pool, vcpu: 64, dataDir: secondDir,
      env: { SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns, SANDBOX_NET_BRIDGE: "burrow1", SANDBOX_NET_TABLE: "burrow1", SANDBOX_NET_CIDR: "10.89.0.0/16" },
    });
    try {
      const res = await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id), "/", { "x-burrow-preview-token": token });
      if (res.status !== 200) console.log(`${res.body}\nsecond runner:\n${second.output().slice(-3000)}`);
      expect(res.status).toBe(200);
      expect(res.body).toContain("hello from the sandbox on 8000");
      const row = await db().session.findUniqueOrThrow({ where: { id } });
      expect(row.runnerId).toBe(second.id);
      expect(row.sandboxAddress).toMatch(/^10\.89\./);
    } finally {
      await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: tenant.key, params: { id } });
      await waitForSessionState(second, id, "terminated").catch(() => {});
      await second.stop();
      removeDataDir(second.dataDir);
    }
  }, 120_000);
});
