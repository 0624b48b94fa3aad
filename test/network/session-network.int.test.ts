// The network field of a session end to end: validated by the API (400 naming the entry), stored,
// shown, and applied by a real runner (its sandbox network built in the test world's "runner host"
// namespace, SANDBOX_NET_HOST_NETNS) to a real runc sandbox; kept across a runner restart; gone
// with the session.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as networkRoute from "@/app/api/v1/sessions/[id]/network/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import * as tenantRoute from "@/app/api/v1/tenant/route";
import { db } from "@/lib/db/client";
import { netKeyOf } from "@/lib/network/sandbox-networking";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "../runner-process";
import { waitFor } from "../wait-for";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";
import { networkSessionCalls } from "./network-session-calls";

let world: NetworkWorld;
let runner: TestRunner;
let tenant: TestTenant;
const runnerEnv = () => ({ SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns });

beforeAll(async () => {
  world = createNetworkWorld();
  runner = await startRunner({ env: runnerEnv() });
  tenant = await createTestTenant();
}, 60_000);

afterAll(async () => {
  if (tenant) await terminateAllSessions(tenant);
  await runner?.stop();
  if (runner) removeDataDir(runner.dataDir);
  world?.remove();
}, 60_000);

const { create, sh } = networkSessionCalls(() => ({ key: tenant.key, pool: runner.pool }), 20_000);

const patchNetwork = (id: string, body: unknown, key = tenant.key) =>
  call(networkRoute.PATCH, { method: "PATCH", path: `/api/v1/sessions/${id}/network`, key, params: { id }, body });

describe("network on session create", () => {
  it("answers 400 naming the invalid entry or field", async () => {
    const bad = await create({ network: { egress: "deny", allowOut: ["pypi.org", "10.0.0.0/99"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect(JSON.stringify(bad.body.error.details.fields)).toContain("network.allowOut.1");
    const badEgress = await create({ network: { egress: "sometimes" } });
    expect(badEgress.status).toBe(400);
    expect(JSON.stringify(badEgress.body.error.details.fields)).toContain("network");
    expect(await db().session.count({ where: { tenantId: tenant.id } })).toBe(0);
  });

  it("takes its template's default unless it names its own (\"none\" included)", async () => {
    const policy = { egress: "deny", allowOut: ["allowed.test"], denyOut: [] };
    const tpl = await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: tenant.key, body: { name: "netted", network: policy } });
    expect(tpl.status).toBe(201);
    expect(tpl.body.network).toEqual(policy);
    const badTpl = await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: tenant.key, body: { name: "bad-net", network: { egress: "deny", allowOut: ["a..b"] } } });
    expect(badTpl.status).toBe(400);
    expect(JSON.stringify(badTpl.body.error.details.fields)).toContain("network.allowOut.0");
    const inherited = await create({ template: "netted" });
    expect(inherited.body.network).toEqual(policy);
    const own = await create({ template: "netted", network: { egress: "allow", allowOut: [], denyOut: ["denied.test"] } });
    expect(own.body.network).toEqual({ egress: "allow", allowOut: [], denyOut: ["denied.test"] });
    const none = await create({ template: "netted", network: "none" });
    expect(none.body.network).toBe("none");
    await waitForSessionState(runner, inherited.body.id, "running");
    expect((await sh(inherited.body.id, "curl -sS -m 5 http://allowed.test/")).stdout).toBe("hello from the internet\n");
  }, 60_000);

  it("falls back to the tenant's default under a template that sets none; a template's explicit \"none\" wins over it", async () => {
    const other = await createTestTenant();
    const tenantPolicy = { egress: "deny", allowOut: ["*.wild.test"], denyOut: [] };
    const patched = await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key: other.key, body: { network: tenantPolicy } });
    expect(patched.status).toBe(200);
    expect(patched.body.network).toEqual(tenantPolicy);
    expect((await call(tenantRoute.PATCH, { method: "PATCH", path: "/api/v1/tenant", key: other.key, body: { network: { egress: "deny", denyOut: ["*"] } } })).status).toBe(400);
    const audit = await db().auditEvent.findFirst({ where: { tenantId: other.id, action: "tenant.updated" } });
    expect(audit?.metadata).toMatchObject({ network: { from: "none", to: tenantPolicy } });
    const make = (body: Record<string, unknown>) => call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: other.key, body: { pool: runner.pool, ...body } });
    expect((await make({})).body.network).toEqual(tenantPolicy); // base template: sets none
    await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: other.key, body: { name: "offline", network: "none" } });
    expect((await make({ template: "offline" })).body.network).toBe("none");
    await terminateAllSessions(other);
  }, 60_000);

  it("is none unless asked for: loopback only", async () => {
    const res = await create({});
    expect(res.status).toBe(201);
    expect(res.body.network).toBe("none");
    await waitForSessionState(runner, res.body.id, "running");
    expect((await sh(res.body.id, "ls /sys/class/net")).stdout.trim()).toBe("lo");
  }, 60_000);

  it("applies the policy in the runner's sandbox, keeps it across a runner restart, and leaves nothing when terminated", async () => {
    const network = { egress: "deny", allowOut: ["allowed.test", "*.wild.test"], denyOut: ["b.wild.test"] };
    const res = await create({ network });
    expect(res.status).toBe(201);
    expect(res.body.network).toEqual(network);
    const id = res.body.id as string;
    expect((await db().session.findUniqueOrThrow({ where: { id } })).network).toEqual(network);
    await waitForSessionState(runner, id, "running");

    const fetchOk = await sh(id, "curl -sS -m 5 http://allowed.test/ && curl -sS -m 5 http://a.wild.test/");
    expect(fetchOk.stdout).toBe("hello from the internet\nhello from the internet\n");
    const denied = await sh(id, `curl -sS -m 5 http://b.wild.test/; echo "rc=$?"; curl -sS -m 5 http://${INTERNET.wildB}/; echo "rc=$?"; curl -sS -m 5 http://${INTERNET.other}/; echo "rc=$?"`);
    expect(denied.stdout).toBe("rc=6\nrc=7\nrc=7\n"); // 6: could not resolve; 7: connection refused (reset at once)
    expect(denied.durationMs).toBeLessThan(3_000);

    await runner.stop();
    runner = await startRunner({ name: runner.name, pool: runner.pool, dataDir: runner.dataDir, env: runnerEnv() });
    expect((await sh(id, "curl -sS -m 5 http://allowed.test/")).stdout).toBe("hello from the internet\n");
    expect((await sh(id, `curl -sS -m 5 http://${INTERNET.other}/; echo "rc=$?"`)).stdout).toBe("rc=7\n");

    const del = await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: tenant.key, params: { id } });
    expect(del.status).toBeLessThan(300);
    await waitForSessionState(runner, id, "terminated");
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(`burrow-${netKeyOf(id)}`);
    expect(world.exec(world.host, ["ip", "-o", "link"])).not.toContain(`bv${netKeyOf(id)}`);
    expect(world.exec(world.host, ["nft", "list", "table", "inet", "burrow"])).not.toContain(`s_${netKeyOf(id)}`);
  }, 120_000);
});

describe("PATCH /sessions/{id}/network", () => {
  it("changes the policy of the running sandbox live, audited; 400 for a bad entry, 409 for network none", async () => {
    const res = await create({ network: { egress: "allow", allowOut: [], denyOut: [] } });
    const id = res.body.id as string;
    await waitForSessionState(runner, id, "running");
    expect((await sh(id, `curl -sS -m 5 http://${INTERNET.other}/`)).stdout).toBe("hello from the internet\n");

    expect((await patchNetwork(id, { egress: "allow", denyOut: ["not a domain"] })).status).toBe(400);
    const started = Date.now();
    const patched = await patchNetwork(id, { egress: "allow", denyOut: [`${INTERNET.other}/32`, "allowed.test"] });
    expect(patched.status).toBe(200);
    expect(patched.body.network.denyOut).toEqual([`${INTERNET.other}/32`, "allowed.test"]);
    // Applied by the runner within about a second: poll from inside the sandbox.
    let tookMs = -1;
    for (let i = 0; i < 40 && tookMs < 0; i++) {
      const r = await sh(id, `curl -sS -m 2 http://${INTERNET.other}/ >/dev/null 2>&1; echo $?`);
      if (r.stdout.trim() === "7") tookMs = Date.now() - started;
    }
    console.log(`policy change took effect after ${tookMs} ms`);
    expect(tookMs).toBeGreaterThanOrEqual(0);
    expect(tookMs).toBeLessThan(3_000);
    expect((await sh(id, `curl -sS -m 5 http://allowed.test/; echo "rc=$?"`)).stdout).toBe("rc=6\n"); // REFUSED now
    expect((await sh(id, `curl -sS -m 5 http://203.0.113.10/`)).stdout).toBe("hello from the internet\n");
    const audit = await db().auditEvent.findFirst({ where: { tenantId: tenant.id, action: "session.network_changed", targetId: id } });
    expect(audit?.metadata).toMatchObject({ to: { denyOut: [`${INTERNET.other}/32`, "allowed.test"] } });

    const none = await create({});
    const conflict = await patchNetwork(none.body.id, { egress: "deny", allowOut: [], denyOut: [] });
    expect(conflict.status).toBe(409);
    const other = await createTestTenant();
    expect((await patchNetwork(id, { egress: "deny" }, other.key)).status).toBe(404);
  }, 120_000);
});

describe("hibernate and wake", () => {
  it("a woken sandbox gets its network and policy again, and the hibernated one held none", async () => {
    const res = await create({ network: { egress: "deny", allowOut: ["allowed.test"], denyOut: [] } });
    const id = res.body.id as string;
    await waitForSessionState(runner, id, "running");
    const hib = await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
    expect(hib.status).toBeLessThan(300);
    await waitForSessionState(runner, id, "hibernated");
    // The sandbox is deleted right after the state is recorded: its namespace goes with it.
    await waitFor(async () => !execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).includes(`burrow-${netKeyOf(id)}`), { what: "the namespace removed", timeoutMs: 10_000, intervalMs: 100 });
    await call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: tenant.key, params: { id } });
    await waitForSessionState(runner, id, "running");
    expect((await sh(id, "curl -sS -m 5 http://allowed.test/")).stdout).toBe("hello from the internet\n");
    expect((await sh(id, `curl -sS -m 5 http://${INTERNET.other}/; echo "rc=$?"`)).stdout).toBe("rc=7\n");
  }, 120_000);
});

describe("a host reboot", () => {
  it("a recovered sandbox gets a network again when the kernel forgot the old one (namespaces, veths, bridge, rules)", async () => {
    const res = await create({ network: { egress: "deny", allowOut: ["allowed.test"], denyOut: [] } });
    const id = res.body.id as string;
    await waitForSessionState(runner, id, "running");
    await runner.kill();
    // What a reboot forgets: the container, every network namespace and the runner host's bridge and tables.
    execFileSync("runc", ["delete", "--force", `burrow-${id}`]);
    // (Only this session's namespace: other tests' sandboxes may be running on this host.)
    execFileSync("ip", ["netns", "del", `burrow-${netKeyOf(id)}`]);
    world.exec(world.host, ["ip", "link", "del", "burrow0"]);
    world.exec(world.host, ["nft", "flush", "ruleset"]);
    runner = await startRunner({ name: runner.name, pool: runner.pool, dataDir: runner.dataDir, env: runnerEnv() });
    await waitFor(async () => (await db().session.findUniqueOrThrow({ where: { id } })).state === "running" && (await sh(id, "curl -sS -m 2 http://allowed.test/")).stdout.includes("hello"), {
      what: "the recovered session reaching allowed.test", timeoutMs: 30_000, intervalMs: 500,
    });
    expect((await sh(id, `curl -sS -m 5 http://${INTERNET.other}/; echo "rc=$?"`)).stdout).toBe("rc=7\n");
  }, 120_000);
});
