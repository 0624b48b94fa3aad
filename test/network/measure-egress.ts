// What egress metering and the flight recorder cost, against real runc in the test world (not a
// test; run as root): npx tsx test/network/measure-egress.ts [rounds=5]
// - connection setup (TCP connect, a tiny HTTP request, close) from a sandbox to an allowed
//   address: no counting and no logging, with the meter's counters, and with counters plus the
//   NFLOG log rule the recorder reads; the variants interleaved, medians of all rounds;
// - the recorder's throughput: refused connection attempts as fast as a sandbox makes them, and
//   how many events per second reach the runner (kernel → NFLOG → reader → resolver → runner).
// Removes everything it made, also on failure.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { meterRuleset, meterTable, sandboxPolicyScript } from "../../lib/network/nft-ruleset";
import { netKeyOf, createSandboxNetworking } from "../../lib/network/sandbox-networking";
import { createRuncBackend } from "../../lib/sandbox";
import { createNetworkWorld, INTERNET } from "./network-world";

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 5) || 5, 1), 30);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const world = createNetworkWorld();
const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-egress-measure-"));
const LOG_GROUP = 7150;
let events = 0;
let firstEventAt = 0;
let lastEventAt = 0;
const network = createSandboxNetworking({
  stateDir, bridge: "burrow0", cidr: "10.88.0.0/16", table: "burrow", hostNetns: world.host, upstreamDns: [INTERNET.dns], blocked: [], log: () => {},
  logGroup: LOG_GROUP,
  onEvent: () => {
    lastEventAt = performance.now();
    if (events++ === 0) firstEventAt = lastEventAt;
  },
});
const backend = createRuncBackend({ stateDir, network });
const id = `ses_MEGRESS${Date.now().toString(36).toUpperCase()}`;
const policy = { egress: "deny" as const, allowOut: ["203.0.113.10/32"], denyOut: [] };
const nft = (script: string) => world.exec(world.host, ["sh", "-c", `nft -f - <<'EOF'\n${script}EOF`]);

const SETUP = `
import socket, time
ts = []
for i in range(200):
    t = time.perf_counter()
    c = socket.create_connection(("203.0.113.10", 80), 3); c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n"); c.recv(4096); c.close()
    ts.append((time.perf_counter() - t) * 1000)
ts.sort(); print(round(ts[len(ts)//2], 3))`;
const FLOOD = `
import socket, time
t = time.perf_counter(); n = 0
for i in range(5000):
    s = socket.socket()
    try: s.connect(("${INTERNET.denied}", 80))
    except OSError: n += 1
    s.close()
print(n, round(time.perf_counter() - t, 3))`;

async function main() {
  await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 1, memoryMib: 256 }, env: {}, network: policy });
  const key = netKeyOf(id);
  const inSandbox = async (code: string) => (await backend.exec(id, { command: ["python3", "-c", code] })).stdout.trim();
  const variants = {
    "no counting, no logging": () => nft(`flush chain inet ${meterTable("burrow")} count\n${sandboxPolicyScript("burrow", key, policy, null)}`),
    "counting": () => nft(meterRuleset("burrow", "burrow0") + sandboxPolicyScript("burrow", key, policy, null)),
    "counting and recording": () => nft(meterRuleset("burrow", "burrow0") + sandboxPolicyScript("burrow", key, policy, LOG_GROUP)),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, apply] of Object.entries(variants)) {
      apply();
      times[name].push(Number(await inSandbox(SETUP)));
    }
  }
  console.log(`connection setup + tiny HTTP request (ms, median of ${rounds} rounds × 200): ${Object.entries(times).map(([k, v]) => `${k} ${median(v)}`).join(", ")}`);

  events = 0;
  const [refused, seconds] = (await inSandbox(FLOOD)).split(" ").map(Number);
  await new Promise((r) => setTimeout(r, 2000)); // let the last events arrive
  const spanS = (lastEventAt - firstEventAt) / 1000;
  console.log(`flood: ${refused} refused attempts in ${seconds} s (${Math.round(refused / seconds)}/s from the sandbox); ${events} events reached the runner, ${Math.round(events / Math.max(spanS, seconds))}/s`);

  const readings = await network.readCounters();
  console.log(`counters read: ${readings.map((r) => `${r.bytesOut} bytes out, ${r.bytesIn} in`).join("; ")}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await backend.destroy(id).catch(() => {});
    network.close();
    world.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });
