// Medians of sandbox networking against real runc in the test world (not a test; run as root):
//   npx tsx test/network/measure-network.ts [rounds=10]
// create with a network vs none; a DNS answer through the policy resolver vs straight from the
// runner host; an HTTP request from a sandbox (NAT, firewall) vs from the runner host; a policy
// change until a connection is refused; a new HTTP connection with a Host from a sandbox whose
// policy names a domain (its first bytes inspected: NFQUEUE) vs the same policy by address only. Removes everything it made, also on failure.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSandboxNetworking } from "../../lib/network/sandbox-networking";
import { createRuncBackend } from "../../lib/sandbox";
import { createNetworkWorld, INTERNET } from "./network-world";

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 10) || 10, 1), 50);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const world = createNetworkWorld();
const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-net-measure-"));
const network = createSandboxNetworking({ stateDir, bridge: "burrow0", cidr: "10.88.0.0/16", table: "burrow", hostNetns: world.host, upstreamDns: [INTERNET.dns], blocked: [], inspectQueue: 7151, log: () => {} });
const backend = createRuncBackend({ stateDir, network });
const made: string[] = [];
const policy = { egress: "deny" as const, allowOut: ["allowed.test", "203.0.113.10/32"], denyOut: [] };
// Python in the sandbox and in the runner host: the same timing loop on both sides.
const LOOP = (what: string) => `
import socket, struct, time, sys
n = ${rounds * 5}
ts = []
for i in range(n):
    t = time.perf_counter()
    ${what}
    ts.append((time.perf_counter() - t) * 1000)
ts.sort(); print(round(ts[len(ts)//2], 3))`;
const DNS = `s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3); s.sendto(struct.pack(">HHHHHH", i, 256, 1, 0, 0, 0) + b"\\x07allowed\\x04test\\x00\\x00\\x01\\x00\\x01", (sys.argv[1], 53)); s.recv(512); s.close()`;
const HTTP = `c = socket.create_connection(("203.0.113.10", 80), 3); c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n"); c.recv(4096); c.close()`;
const HTTP_HOST = `c = socket.create_connection(("${INTERNET.other}", 80), 3); c.sendall(b"GET / HTTP/1.0\\r\\nHost: other.test\\r\\n\\r\\n"); c.recv(4096); c.close()`;

async function main() {
  const times: Record<string, number[]> = { none: [], network: [] };
  for (let i = 0; i < rounds; i++) {
    for (const kind of ["none", "network"] as const) {
      const id = `ses_M${i}${kind === "none" ? "N" : "W"}${Date.now().toString(36).toUpperCase()}`;
      made.push(id);
      const t = Date.now();
      await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 0.5, memoryMib: 128 }, env: {}, network: kind === "network" ? policy : null });
      times[kind].push(Date.now() - t);
    }
  }
  console.log(`create (ms, median of ${rounds}, after the first networked one set up the host): none ${median(times.none)}, with network ${median(times.network.slice(1))}; first with network ${times.network[0]}`);
  const id = made[1];
  const inSandbox = async (code: string, arg: string) => (await backend.exec(id, { command: ["python3", "-c", code, arg] })).stdout.trim();
  const inHost = (code: string, arg: string) => world.exec(world.host, ["python3", "-c", code, arg]).trim();
  console.log(`DNS answer (ms, median): through the policy resolver ${await inSandbox(LOOP(DNS), "10.88.0.1")}, runner host straight to the server ${inHost(LOOP(DNS), INTERNET.dns)}`);
  console.log(`HTTP request (ms, median): from a sandbox ${await inSandbox(LOOP(HTTP), "")}, from the runner host ${inHost(LOOP(HTTP), "")}`);
  const changes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await network.applyPolicy(id, { ...policy, denyOut: i % 2 ? [] : ["203.0.113.10/32"] });
    changes.push(performance.now() - t);
  }
  console.log(`policy change applied (ms, median of ${rounds}, nft transaction + resolver reload): ${median(changes).toFixed(1)}`);
  // Name inspection: the same sandbox, its policy switched between a denied domain (inspected) and
  // a denied address (not inspected), alternately, each a median of rounds*5 new connections.
  const inspected = { egress: "allow" as const, allowOut: [], denyOut: ["denied.test"] };
  const byAddress = { egress: "allow" as const, allowOut: [], denyOut: [`${INTERNET.denied}/32`] };
  const http: Record<"inspected" | "byAddress", number[]> = { inspected: [], byAddress: [] };
  for (let i = 0; i < Math.min(rounds, 5); i++) {
    for (const kind of ["byAddress", "inspected"] as const) {
      await network.applyPolicy(id, kind === "inspected" ? inspected : byAddress);
      http[kind].push(Number(await inSandbox(LOOP(HTTP_HOST), "")));
    }
  }
  console.log(`new HTTP connection with a Host + request (ms, median of medians): name inspected ${median(http.inspected)}, not inspected ${median(http.byAddress)}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const id of made) await backend.destroy(id).catch(() => {});
    network.close();
    world.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });
