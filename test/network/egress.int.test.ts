// Egress metering and the flight recorder end to end: a real runner (its sandbox network in the
// test world's "runner host" namespace) and real sandboxes that upload to, look up and connect to
// the world's "internet". The meter is compared with what the sandbox's veth saw (the kernel's own
// interface counters on the host end), across a live policy change, a runner restart, hibernation,
// wake and termination; the runner's periodic counter reading is off (10 min) so that every byte
// here is recorded by a runner stop or a final reading before a sandbox's network is removed.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as networkEventsRoute from "@/app/api/v1/sessions/[id]/network/events/route";
import * as networkRoute from "@/app/api/v1/sessions/[id]/network/route";
import * as resumeRoute from "@/app/api/v1/sessions/[id]/resume/route";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import { db } from "@/lib/db/client";
import { recordCounterReadings } from "@/lib/network/record-egress";
import { netKeyOf } from "@/lib/network/sandbox-networking";
import { purgeExpiredTelemetry } from "@/lib/retention/purge-expired-telemetry";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "../runner-process";
import { waitFor } from "../wait-for";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";
import { billedEgress, networkSessionCalls } from "./network-session-calls";
import { networkGone, vethSentIpBytes } from "./sandbox-veth";

let world: NetworkWorld;
let runner: TestRunner;
let tenant: TestTenant;
let sink: ChildProcess;
const SINK_PORT = 8081;
const MB = 1_000_000;
const runnerEnv = () => ({
  SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns,
  NETWORK_METER_INTERVAL_MS: "600000", NETWORK_EVENTS_PER_SECOND: "20",
});

// An upload sink in the "internet": reads a POST body whole and answers its length.
const SINK = `
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        left = int(self.headers.get("Content-Length", 0)); got = 0
        while left > 0:
            chunk = self.rfile.read(min(65536, left))
            if not chunk: break
            left -= len(chunk); got += len(chunk)
        body = str(got).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", ${SINK_PORT}), H).serve_forever()
`;

beforeAll(async () => {
  world = createNetworkWorld();
  sink = spawn("ip", ["netns", "exec", world.internet, "python3", "-c", SINK], { stdio: "ignore" });
  runner = await startRunner({ env: runnerEnv() });
  tenant = await createTestTenant();
}, 60_000);

afterAll(async () => {
  if (tenant) await terminateAllSessions(tenant);
  await runner?.stop();
  if (runner) removeDataDir(runner.dataDir);
  sink?.kill("SIGKILL");
  world?.remove();
}, 60_000);

const { create, sh } = networkSessionCalls(() => ({ key: tenant.key, pool: runner.pool }), 60_000);
const events = (id: string, query = "", key = tenant.key) =>
  call(networkEventsRoute.GET, { path: `/api/v1/sessions/${id}/network/events${query}`, key, params: { id } });

async function upload(id: string, bytes: number) {
  const r = await sh(id, `head -c ${bytes} /dev/urandom > /workspace/blob && curl -sS -m 50 --data-binary @/workspace/blob http://${INTERNET.allowed}:${SINK_PORT}/ && rm /workspace/blob`);
  expect(r.stdout).toBe(String(bytes));
}

describe("egress metering", () => {
  it("meters the bytes a sandbox sent within 1%, across a policy change, a runner restart, hibernation, wake and termination", async () => {
    const res = await create({ network: { egress: "allow", allowOut: [], denyOut: [] } });
    const id = res.body.id as string;
    await waitForSessionState(runner, id, "running");

    await upload(id, 6 * MB);
    // A live policy change swaps the sandbox's chain and sets: the counters are elsewhere and keep counting.
    expect((await call(networkRoute.PATCH, { method: "PATCH", path: `/api/v1/sessions/${id}/network`, key: tenant.key, params: { id }, body: { egress: "allow", denyOut: [`${INTERNET.other}/32`] } })).status).toBe(200);
    await waitFor(async () => (await sh(id, `curl -sS -m 2 http://${INTERNET.other}/ >/dev/null 2>&1; echo $?`)).stdout.trim() === "7", { what: "the policy change in force", timeoutMs: 10_000, intervalMs: 200 });
    await upload(id, 6 * MB);
    // A runner restart: it reads the counters as it stops, and the kernel keeps counting meanwhile.
    await runner.stop();
    runner = await startRunner({ name: runner.name, pool: runner.pool, dataDir: runner.dataDir, env: runnerEnv() });
    await upload(id, 6 * MB);
    const sentBeforeHibernate = vethSentIpBytes(world, id);
    expect(sentBeforeHibernate).toBeGreaterThan(18 * MB);

    // Hibernation removes the sandbox's network: the final reading is taken before.
    expect((await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } })).status).toBeLessThan(300);
    await waitForSessionState(runner, id, "hibernated");
    await networkGone(id);
    const afterHibernate = await events(id, "?limit=1");
    expect(afterHibernate.status).toBe(200);
    const meteredFirst = Number(afterHibernate.body.bytesOut);
    console.log(`egress metered ${meteredFirst} bytes; the veth saw ${sentBeforeHibernate} IP bytes sent`);
    expect(Math.abs(meteredFirst - sentBeforeHibernate) / sentBeforeHibernate).toBeLessThan(0.01);
    expect(Number(afterHibernate.body.bytesIn)).toBeGreaterThan(0);

    // Woken: a new sandbox network with counters of its own; terminated: read once more before it goes.
    await call(resumeRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/resume`, key: tenant.key, params: { id } });
    await waitForSessionState(runner, id, "running");
    await upload(id, 4 * MB);
    const sentSinceWake = vethSentIpBytes(world, id);
    expect((await call(sessionRoute.DELETE, { method: "DELETE", path: `/api/v1/sessions/${id}`, key: tenant.key, params: { id } })).status).toBeLessThan(300);
    await waitForSessionState(runner, id, "terminated");
    await networkGone(id);
    // Its counters went with it (read first).
    expect(world.exec(world.host, ["nft", "list", "table", "inet", "burrow_meter"])).not.toContain(`_${netKeyOf(id)}`);
    const sent = sentBeforeHibernate + sentSinceWake;
    const metered = Number((await events(id, "?limit=1")).body.bytesOut);
    expect(Math.abs(metered - sent) / sent).toBeLessThan(0.01);
    expect(metered).toBeGreaterThan(22 * MB);

    // In the usage rollup and the usage API as network_egress_gib (bytes ÷ 2^30, to the micro-GiB).
    const { microGib: gib, rows } = await billedEgress(tenant, id);
    expect(Number(gib) / 1e6).toBeCloseTo(metered / 2 ** 30, 5);
    expect(rows.every((r: { amountCents: number }) => r.amountCents >= 0)).toBe(true);
  }, 240_000);
});

describe("recording counter readings", () => {
  it("adds each counter pair's increase once: repeated, late and out-of-order readings add nothing; a new pair starts from its own zero", async () => {
    const res = await create({ network: "none" }); // only its row is needed
    const sessionId = res.body.id as string;
    const total = async () => (await db().sessionNetworkHour.aggregate({ where: { tenantId: tenant.id, sessionId }, _sum: { bytesOut: true, bytesIn: true } }))._sum;
    const read = (meterId: string, out: number, inn: number) => ({ sessionId, meterId, bytesOut: BigInt(out), bytesIn: BigInt(inn) });
    await recordCounterReadings([read("m1", 1000, 10)]);
    await recordCounterReadings([read("m1", 1000, 10)]); // the same reading again (a retry, or a final reading equal to the last)
    await recordCounterReadings([read("m1", 700, 7)]); // an older reading arriving late
    expect(await total()).toEqual({ bytesOut: 1000n, bytesIn: 10n });
    // Two readings of one pair in one batch, then a new pair (a new container) below the old value.
    await recordCounterReadings([read("m1", 1500, 20), read("m1", 2500, 30), read("m2", 400, 4)]);
    expect(await total()).toEqual({ bytesOut: 2900n, bytesIn: 34n });
    // A reading of a session that does not exist is left out.
    expect((await recordCounterReadings([{ ...read("m1", 5, 5), sessionId: "ses_nonexistent" }])).readings).toBe(0);
  }, 30_000);
});

type Ev = { kind: string; verdict: string | null; rule: string | null; entry: string | null; name: string | null; queryType: string | null; answers: string[]; destination: string | null; port: number | null; protocol: string | null; count: number };

describe("the egress flight recorder", () => {
  let id: string;
  beforeAll(async () => {
    const res = await create({ network: { egress: "deny", allowOut: ["allowed.test", "203.0.113.10/32"], denyOut: ["b.wild.test", `${INTERNET.other}/32`] } });
    id = res.body.id;
    await waitForSessionState(runner, id, "running");
  }, 60_000);

  const all = async (): Promise<Ev[]> => {
    const out: Ev[] = [];
    let cursor: string | null = "";
    for (let i = 0; i < 50 && cursor !== null; i++) {
      const page = await events(id, `?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      out.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    return out;
  };

  it("records lookups and connection attempts with the rule that decided them; refusals are still immediate", async () => {
    const r = await sh(id, [
      "curl -sS -m 5 -o /dev/null http://allowed.test/; echo rc=$?",
      "curl -sS -m 5 http://b.wild.test/; echo rc=$?",
      "curl -sS -m 5 http://other.test/; echo rc=$?",
      `curl -sS -m 5 http://${INTERNET.wildB}/; echo rc=$?`,
      `curl -sS -m 5 http://${INTERNET.other}/; echo rc=$?`,
      `curl -sS -m 5 -o /dev/null http://203.0.113.10/; echo rc=$?`,
      `curl -sS -m 5 http://${INTERNET.denied}/; echo rc=$?`,
      `curl -sS -m 5 http://${INTERNET.metadata}/; echo rc=$?`,
    ].join("; "));
    // 6: REFUSED by the resolver; 7: the connection reset at once.
    expect(r.stdout).toBe("rc=0\nrc=6\nrc=6\nrc=7\nrc=7\nrc=0\nrc=7\nrc=7\n");

    const want: Partial<Ev>[] = [
      { kind: "dns", name: "allowed.test", queryType: "A", verdict: "allowed", rule: "allow_out", entry: "allowed.test", answers: [INTERNET.allowed] },
      { kind: "connection", destination: INTERNET.allowed, port: 80, protocol: "tcp", verdict: "allowed", rule: "allow_out", entry: "allowed.test" },
      { kind: "dns", name: "b.wild.test", verdict: "denied", rule: "deny_out", entry: "b.wild.test", answers: [] },
      { kind: "dns", name: "other.test", verdict: "denied", rule: "egress", entry: null },
      { kind: "connection", destination: INTERNET.wildB, port: 80, verdict: "denied", rule: "deny_out", entry: "b.wild.test" },
      { kind: "connection", destination: INTERNET.other, port: 80, verdict: "denied", rule: "deny_out", entry: `${INTERNET.other}/32` },
      { kind: "connection", destination: "203.0.113.10", port: 80, verdict: "allowed", rule: "allow_out", entry: "203.0.113.10/32" },
      { kind: "connection", destination: INTERNET.denied, port: 80, verdict: "denied", rule: "egress", entry: null },
      { kind: "connection", destination: INTERNET.metadata, port: 80, protocol: "tcp", verdict: "denied", rule: "always_blocked", entry: null },
    ];
    const seen = await waitFor(async () => {
      const list = await all();
      return want.every((w) => list.some((e) => Object.entries(w).every(([k, v]) => JSON.stringify(e[k as keyof Ev]) === JSON.stringify(v)))) ? list : null;
    }, { what: "every lookup and connection in the recorder", timeoutMs: 15_000, intervalMs: 300 });
    expect(seen).toBeTruthy();
  }, 60_000);

  it("pages with a cursor and filters by verdict and kind; 400 for a bad filter, 404 for another tenant's session", async () => {
    const denied = await events(id, "?verdict=denied&limit=100");
    expect(denied.body.data.length).toBeGreaterThan(0);
    expect(denied.body.data.every((e: Ev) => e.verdict === "denied")).toBe(true);
    const dns = await events(id, "?kind=dns&limit=100");
    expect(dns.body.data.length).toBeGreaterThan(0);
    expect(dns.body.data.every((e: Ev) => e.kind === "dns")).toBe(true);
    const first = await events(id, "?limit=2");
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.data[1].id);
    const second = await events(id, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(Number(second.body.data[0].id)).toBeLessThan(Number(first.body.data[1].id)); // newest first, no overlap
    expect((await events(id, "?verdict=maybe")).status).toBe(400);
    expect((await events(id, "?cursor=abc")).status).toBe(400);
    const other = await createTestTenant();
    expect((await events(id, "", other.key)).status).toBe(404);
  }, 30_000);

  it("a flood of attempts is rate limited: what is left out is counted, not written", async () => {
    const before = (await all()).filter((e) => e.kind === "connection").length;
    const flood = await sh(id, `python3 -c "
import socket
n = 0
for i in range(1500):
    s = socket.socket()
    try:
        s.connect(('${INTERNET.denied}', 80))
    except OSError:
        n += 1
    s.close()
print(n)"`);
    expect(flood.stdout.trim()).toBe("1500"); // every attempt refused
    // The runner writes what it recorded and the drop counts in batches: a loaded machine may still
    // have some in flight when the first count lands, so wait (bounded) for them to add up.
    const counted = async () => {
      const rows = await db().sessionNetworkEvent.findMany({ where: { tenantId: tenant.id, sessionId: id, kind: "dropped" } });
      const dropped = rows.reduce((a, r) => a + r.count, 0);
      const written = (await all()).filter((e) => e.kind === "connection").length - before;
      return { dropped, written };
    };
    let last = await counted();
    await waitFor(async () => {
      last = await counted();
      return last.dropped > 0 && last.written + last.dropped > 1000;
    }, { what: "recorded and dropped attempts adding up past 1000", timeoutMs: 20_000, intervalMs: 300 }).catch(() => {});
    const { written, dropped } = last;
    console.log(`flood of 1500 refused attempts: ${written} recorded, ${dropped} counted as dropped`);
    // The bucket holds 10 s of 20 events/s; the flood's own seconds add a few more.
    expect(written).toBeLessThan(600);
    expect(dropped).toBeGreaterThan(0);
    expect(written + dropped).toBeGreaterThan(1000); // the kernel logged them; the runner kept count
  }, 60_000);

  it("retention prunes old events of the tenants it is given, and no others", async () => {
    const other = await createTestTenant();
    const session = await db().session.findFirstOrThrow({ where: { tenantId: tenant.id, id } });
    const old = new Date(Date.now() - 30 * 86_400_000);
    const row = (tenantId: string) => ({ tenantId, sessionId: session.id, at: old, kind: "connection", verdict: "denied", rule: "egress", destination: INTERNET.denied, port: 80, protocol: "tcp" });
    await db().sessionNetworkEvent.createMany({ data: [...Array.from({ length: 7 }, () => row(tenant.id)), ...Array.from({ length: 3 }, () => row(other.id))] });
    const recent = await db().sessionNetworkEvent.count({ where: { tenantId: tenant.id, at: { gte: new Date(Date.now() - 86_400_000) } } });
    expect(recent).toBeGreaterThan(0);
    const result = await purgeExpiredTelemetry({ tenantIds: [tenant.id] });
    expect(result.networkEvents).toBe(7);
    expect(await db().sessionNetworkEvent.count({ where: { tenantId: tenant.id, at: { lt: new Date(Date.now() - 86_400_000) } } })).toBe(0);
    // The recent ones stay (the runner may still be adding to them).
    expect(await db().sessionNetworkEvent.count({ where: { tenantId: tenant.id } })).toBeGreaterThanOrEqual(recent);
    expect(await db().sessionNetworkEvent.count({ where: { tenantId: other.id } })).toBe(3);
  }, 30_000);
});
