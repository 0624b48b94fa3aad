// Names in connections through the API and a real runner: a session whose policy denies a domain
// has plain HTTP with that Host reset, a PATCH of its policy applies to names at once, and each
// decision made on a name is in GET /api/v1/sessions/{id}/network/events with its rule and entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as networkEventsRoute from "@/app/api/v1/sessions/[id]/network/events/route";
import * as networkRoute from "@/app/api/v1/sessions/[id]/network/route";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "../runner-process";
import { waitFor } from "../wait-for";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";
import { networkSessionCalls } from "./network-session-calls";

let world: NetworkWorld;
let runner: TestRunner;
let tenant: TestTenant;

beforeAll(async () => {
  world = createNetworkWorld();
  runner = await startRunner({ env: { SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns, SANDBOX_NET_QUEUE: "7171" } });
  tenant = await createTestTenant();
}, 60_000);

afterAll(async () => {
  if (tenant) await terminateAllSessions(tenant);
  await runner?.stop();
  if (runner) removeDataDir(runner.dataDir);
  world?.remove();
}, 60_000);

const { create, sh } = networkSessionCalls(() => ({ key: tenant.key, pool: runner.pool }), 30_000);

/** curl's exit code for a plain HTTP GET to an allowed address with this Host (0: answered, 56: reset). */
const httpWithHost = async (id: string, host: string) =>
  (await sh(id, `curl -sS -m 5 -o /dev/null -H 'Host: ${host}' http://${INTERNET.allowed}/ 2>/dev/null; echo $?`)).stdout.trim();

type Ev = { kind: string; verdict: string; rule: string; entry: string | null; name: string | null; queryType: string | null; destination: string | null; port: number | null };

describe("names in connections through the API", () => {
  it("resets a denied Host, applies a PATCH to names, and records each decision with its rule and entry", async () => {
    const res = await create({ network: { egress: "allow", allowOut: [], denyOut: ["denied.test"] } });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await waitForSessionState(runner, id, "running");
    expect(await httpWithHost(id, "denied.test")).toBe("56");
    expect(await httpWithHost(id, "other.test")).toBe("0");

    const patched = await call(networkRoute.PATCH, { method: "PATCH", path: `/api/v1/sessions/${id}/network`, key: tenant.key, params: { id }, body: { egress: "allow", allowOut: [], denyOut: ["*.wild.test"] } });
    expect(patched.status).toBe(200);
    await waitFor(async () => (await httpWithHost(id, "a.wild.test")) === "56", { what: "the PATCH in force for names", timeoutMs: 10_000, intervalMs: 200 });
    expect(await httpWithHost(id, "denied.test")).toBe("0");

    const named = await waitFor(async () => {
      const page = await call(networkEventsRoute.GET, { path: `/api/v1/sessions/${id}/network/events?kind=connection&limit=100`, key: tenant.key, params: { id } });
      const data = (page.body.data as Ev[]).filter((e) => e.queryType === "Host");
      return data.some((e) => e.name === "a.wild.test") && data.length >= 4 ? data : null;
    }, { what: "the name decisions in the flight recorder", timeoutMs: 10_000, intervalMs: 200 });
    expect(named).toContainEqual(expect.objectContaining({ verdict: "denied", rule: "deny_out", entry: "denied.test", name: "denied.test", destination: INTERNET.allowed, port: 80 }));
    expect(named).toContainEqual(expect.objectContaining({ verdict: "allowed", rule: "egress", entry: null, name: "other.test" }));
    expect(named).toContainEqual(expect.objectContaining({ verdict: "denied", rule: "deny_out", entry: "*.wild.test", name: "a.wild.test" }));
    expect(named).toContainEqual(expect.objectContaining({ verdict: "allowed", rule: "egress", name: "denied.test" }));
  }, 60_000);
});
