// Sandbox networking end to end on real runc and nftables, in a test world of network namespaces
// (network-world.ts): egress policy by CIDR, IP, domain and wildcard; DNS answers REFUSED for
// denied names; every always-blocked destination; sandboxes kept apart; network "none" unchanged;
// a runner restart keeps it all; destroy leaves nothing behind.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxNetworking, netKeyOf, type SandboxNetworking } from "../../lib/network/sandbox-networking";
import { checkRuntime, createRuncBackend, type SandboxBackend } from "../../lib/sandbox";
import type { EgressPolicy } from "../../lib/network/schemas";
import { newSandboxId } from "../sandbox/sandbox-harness";
import { createNetworkWorld, HOST_UPLINK, INTERNET, ROUTER_UPLINK, type NetworkWorld } from "./network-world";

const GATEWAY = "10.88.0.1";
const TABLE = "burrow";
const PROBE = readFileSync(path.join(import.meta.dirname, "probe.py"));

let world: NetworkWorld;
let stateDir: string;
let network: SandboxNetworking;
let backend: SandboxBackend;
const live: string[] = [];

function makeNetworking() {
  return createSandboxNetworking({
    stateDir, bridge: "burrow0", cidr: "10.88.0.0/16", table: TABLE, hostNetns: world.host,
    upstreamDns: [INTERNET.dns], blocked: [], log: (m) => console.log(`[net] ${m}`),
  });
}

async function start(policy: EgressPolicy | null): Promise<string> {
  const id = newSandboxId();
  live.push(id);
  const started = Date.now();
  await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 0.5, memoryMib: 256 }, env: {}, network: policy });
  console.log(`create with network ${policy ? policy.egress : "none"}: ${Date.now() - started} ms`);
  await backend.writeFile(id, "/workspace/probe.py", PROBE, 1 << 20);
  return id;
}

async function probe(id: string, ...args: string[]): Promise<{ result: string; seconds: number }> {
  const r = await backend.exec(id, { command: ["python3", "/workspace/probe.py", ...args], timeoutMs: 15_000 });
  const [result, seconds] = r.stdout.trim().split(" ");
  return { result: r.exitCode === 0 ? result : `exit ${r.exitCode}: ${r.stderr}`, seconds: Number(seconds) };
}
const dns = async (id: string, name: string, server?: string) =>
  (await backend.exec(id, { command: ["python3", "/workspace/probe.py", "dns", name, ...(server ? [server] : [])] })).stdout.trim();
const connect = async (id: string, host: string, port = 80) => (await probe(id, "connect", host, String(port))).result;

/** A denial fails at once (reset or unreachable), never a wait until a timeout. */
async function expectDenied(id: string, host: string, port = 80) {
  const r = await probe(id, "connect", host, String(port));
  expect(r.result, `${host}:${port}`).toMatch(/^(refused|unreachable)$/);
  expect(r.seconds).toBeLessThan(1);
}

const nftTable = () => world.exec(world.host, ["nft", "list", "table", "inet", TABLE]);

beforeAll(async () => {
  const runtime = await checkRuntime("runc");
  if (!runtime.ok) throw new Error(`needs runc as root: ${runtime.message}`);
  world = createNetworkWorld();
  stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-net-test-"));
  network = makeNetworking();
  backend = createRuncBackend({ stateDir, network });
}, 60_000);

afterAll(async () => {
  for (const id of live) await backend?.destroy(id).catch(() => {});
  network?.close();
  world?.remove();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe("a sandbox with egress allow", () => {
  let a = "";
  let b = "";
  beforeAll(async () => {
    a = await start({ egress: "allow", allowOut: [], denyOut: ["denied.test", `${INTERNET.other}/32`] });
    b = await start({ egress: "deny", allowOut: ["allowed.test"], denyOut: [] });
    // A listener in b, reachable from b itself: only the firewall keeps a from it.
    await backend.exec(b, { command: ["sh", "-c", "nohup python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 &"] });
  }, 60_000);

  it("reaches the internet by name and by address, through NAT, with the runner's resolver", async () => {
    expect(readFileSync(path.join(stateDir, ".network", "resolv.conf"), "utf8")).toContain(`nameserver ${GATEWAY}`);
    expect(await dns(a, "allowed.test")).toBe(`NOERROR ${INTERNET.allowed}`);
    expect(await connect(a, INTERNET.allowed)).toBe("ok");
    expect(await connect(a, "203.0.113.10")).toBe("ok");
    const viaName = await backend.exec(a, { command: ["curl", "-sS", "-m", "5", "http://allowed.test/"] });
    expect(viaName.stdout).toBe("hello from the internet\n");
  });

  it("refuses a denied domain's name (REFUSED) and its address as an IP literal, and a denied CIDR", async () => {
    expect(await dns(a, "denied.test")).toBe("REFUSED");
    await expectDenied(a, INTERNET.denied); // learned when the policy was loaded, never asked for by the sandbox
    await expectDenied(a, INTERNET.other);
  });

  it("never reaches the runner host, its networks, metadata, loopback or another sandbox", async () => {
    expect(await connect(b, "127.0.0.1", 8080)).toBe("ok"); // b's listener is up
    const bIp = JSON.parse(readFileSync(path.join(stateDir, ".network", "sandboxes", `${netKeyOf(b)}.json`), "utf8")).ip as string;
    for (const [host, port] of [
      [GATEWAY, 3000], [GATEWAY, 5432], [HOST_UPLINK, 3000], [HOST_UPLINK, 5432], [GATEWAY, 9999], // runner host: web app, Postgres, any port
      [ROUTER_UPLINK, 80], // the runner's own network
      [INTERNET.metadata, 80], ["fd00:ec2::254", 80], // cloud metadata
      [bIp, 8080], // another sandbox
    ] as const) await expectDenied(a, host, port);
    // 127.0.0.1 is the sandbox's own loopback: the host's 127.0.0.1:9999 listener is not there.
    expect(await connect(a, "127.0.0.1", 9999)).toBe("refused");
    // Nor does DNS sent to another server get past the policy: port 53 anywhere is the runner's resolver.
    expect(await dns(a, "denied.test", INTERNET.dns)).toBe("REFUSED");
    expect(await dns(a, "allowed.test", INTERNET.dns)).toBe(`NOERROR ${INTERNET.allowed}`);
  });

  it("with egress deny: only what allowOut names, by domain (IPs learned from DNS) and not others", async () => {
    expect(await dns(b, "allowed.test")).toBe(`NOERROR ${INTERNET.allowed}`);
    expect(await connect(b, INTERNET.allowed)).toBe("ok");
    expect(await dns(b, "other.test")).toBe("REFUSED");
    await expectDenied(b, INTERNET.other);
    await expectDenied(b, "203.0.113.10");
  });

  it("two sandboxes cannot reach each other", async () => {
    const aIp = JSON.parse(readFileSync(path.join(stateDir, ".network", "sandboxes", `${netKeyOf(a)}.json`), "utf8")).ip as string;
    await backend.exec(a, { command: ["sh", "-c", "nohup python3 -m http.server 8081 --bind 0.0.0.0 >/dev/null 2>&1 &"] });
    await new Promise((r) => setTimeout(r, 500));
    expect(await connect(a, "127.0.0.1", 8081)).toBe("ok");
    await expectDenied(b, aIp, 8081);
  });
});

describe("a sandbox with egress deny and wildcards", () => {
  it("allows *.domain and CIDRs, denyOut wins over allowOut, and unnamed names are REFUSED", async () => {
    const c = await start({ egress: "deny", allowOut: ["*.wild.test", "203.0.113.10/32"], denyOut: ["b.wild.test"] });
    expect(await dns(c, "a.wild.test")).toBe(`NOERROR ${INTERNET.wildA}`);
    expect(await connect(c, INTERNET.wildA)).toBe("ok");
    expect(await dns(c, "b.wild.test")).toBe("REFUSED");
    await expectDenied(c, INTERNET.wildB);
    expect(await connect(c, "203.0.113.10")).toBe("ok");
    expect(await dns(c, "wild.test")).toBe("REFUSED"); // *.wild.test names what is below it, not itself
    await expectDenied(c, INTERNET.allowed);
  });
});

describe("in a user namespace", () => {
  it("gets its network in its own namespace (owned by its user namespace, so /sys mounts) and follows its policy", async () => {
    const usernsBackend = createRuncBackend({ stateDir, network, idMap: { hostBase: 300_000, size: 65_536 } });
    const id = newSandboxId();
    try {
      await usernsBackend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 0.5, memoryMib: 256 }, env: {}, network: { egress: "deny", allowOut: ["allowed.test"], denyOut: [] } });
      await usernsBackend.writeFile(id, "/workspace/probe.py", PROBE, 1 << 20);
      const run = async (...args: string[]) => (await usernsBackend.exec(id, { command: ["python3", "/workspace/probe.py", ...args] })).stdout.trim();
      expect(await run("dns", "allowed.test")).toBe(`NOERROR ${INTERNET.allowed}`);
      expect(await run("connect", INTERNET.allowed, "80")).toMatch(/^ok /);
      expect(await run("connect", "203.0.113.10", "80")).toMatch(/^refused /);
    } finally {
      await usernsBackend.destroy(id);
    }
  }, 60_000);
});

describe("network none", () => {
  it("keeps loopback only", async () => {
    const n = await start(null);
    const links = await backend.exec(n, { command: ["python3", "-c", "import socket; print(' '.join(sorted(n for _, n in socket.if_nameindex())))"] });
    expect(links.stdout.trim()).toBe("lo");
    expect(await connect(n, "203.0.113.10")).toBe("unreachable");
  });
});

describe("runner restart and delete", () => {
  it("a restarted runner keeps the sandbox's network and rules; destroy leaves no netns, veth, rule, set or address", async () => {
    const d = await start({ egress: "deny", allowOut: ["allowed.test"], denyOut: [] });
    network.close();
    network = makeNetworking();
    backend = createRuncBackend({ stateDir, network });
    await network.resume();
    expect(await dns(d, "allowed.test")).toBe(`NOERROR ${INTERNET.allowed}`);
    expect(await connect(d, INTERNET.allowed)).toBe("ok");
    await expectDenied(d, "203.0.113.10");

    const key = netKeyOf(d);
    for (const id of live.splice(0)) await backend.destroy(id);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(`burrow-${key}`);
    expect(world.exec(world.host, ["ip", "-o", "link"])).not.toMatch(/\bbv[0-9a-f]{10}\b/);
    const table = nftTable();
    expect(table).not.toMatch(/chain s_|set (an|dn|ad|dd)_/);
    expect(table).toMatch(/map sandboxes \{\s*type ipv4_addr : verdict\s*\}/);
    expect(world.exec(world.host, ["nft", "list", "set", "bridge", TABLE, "ports"])).not.toContain("bv");
    expect(readdirSync(path.join(stateDir, ".network", "addresses"))).toEqual([]);
    expect(readdirSync(path.join(stateDir, ".network", "sandboxes"))).toEqual([]);
  }, 60_000);
});
