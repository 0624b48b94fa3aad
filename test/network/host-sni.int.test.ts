// Domain rules on the names in connections (plain-HTTP Host, TLS SNI) end to end, on real runc,
// nftables and NFQUEUE, in the test world of network namespaces (network-world.ts), with a TLS
// server on :443 of every "internet" address (tls-sni-server.py) that echoes the SNI it saw.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkEventRecord } from "../../lib/network/network-event";
import { createSandboxNetworking, type SandboxNetworking } from "../../lib/network/sandbox-networking";
import type { EgressPolicy } from "../../lib/network/schemas";
import { checkRuntime, createRuncBackend, type SandboxBackend } from "../../lib/sandbox";
import { newSandboxId } from "../sandbox/sandbox-harness";
import { waitFor } from "../wait-for";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";

const TABLE = "burrow";
const QUEUE = 7161;
const TLS_PROBE = readFileSync(path.join(import.meta.dirname, "tls-probe.py"));

let world: NetworkWorld;
let stateDir: string;
let network: SandboxNetworking;
let backend: SandboxBackend;
let tlsServer: ChildProcess;
const live: string[] = [];
const events: NetworkEventRecord[] = [];

beforeAll(async () => {
  const runtime = await checkRuntime("runc");
  if (!runtime.ok) throw new Error(`needs runc as root: ${runtime.message}`);
  world = createNetworkWorld();
  stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-sni-test-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=burrow-test",
    "-keyout", path.join(stateDir, "key.pem"), "-out", path.join(stateDir, "cert.pem")], { stdio: "ignore" });
  tlsServer = spawn("ip", ["netns", "exec", world.internet, "python3", path.join(import.meta.dirname, "tls-sni-server.py"), path.join(stateDir, "cert.pem"), path.join(stateDir, "key.pem")], { stdio: "ignore" });
  network = createSandboxNetworking({
    stateDir, bridge: "burrow0", cidr: "10.88.0.0/16", table: TABLE, hostNetns: world.host, upstreamDns: [INTERNET.dns], blocked: [],
    inspectQueue: QUEUE, onEvent: (e) => events.push(e), log: (m) => console.log(`[net] ${m}`),
  });
  backend = createRuncBackend({ stateDir, network });
  await waitFor(async () => {
    try {
      execFileSync("ip", ["netns", "exec", world.internet, "python3", "-c", `import socket; socket.create_connection(("${INTERNET.allowed}", 443), 1)`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  }, { what: "the TLS server listening", timeoutMs: 10_000, intervalMs: 100 });
}, 60_000);

afterAll(async () => {
  for (const id of live) await backend?.destroy(id).catch(() => {});
  network?.close();
  tlsServer?.kill("SIGKILL");
  world?.remove();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

async function start(policy: EgressPolicy): Promise<string> {
  const id = newSandboxId();
  live.push(id);
  await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 0.5, memoryMib: 256 }, env: {}, network: policy });
  await backend.writeFile(id, "/workspace/tls-probe.py", TLS_PROBE, 1 << 20);
  return id;
}

/** TLS to `address`:443 asking for `sni`: the server's "sni=…" answer, or reset/timeout/error; and the seconds it took. */
async function tls(id: string, address: string, sni: string, split = false) {
  const r = await backend.exec(id, { command: ["python3", "/workspace/tls-probe.py", address, sni, ...(split ? ["split"] : [])], timeoutMs: 15_000 });
  const [result, seconds] = r.stdout.trim().split(" ");
  return { result: r.exitCode === 0 ? result : `exit ${r.exitCode}: ${r.stderr}`, seconds: Number(seconds) };
}

/** A plain HTTP GET to `address` with this Host: "200" or curl's failure ("exit 56": reset), and the seconds it took. */
async function http(id: string, address: string, host: string) {
  const started = Date.now();
  const r = await backend.exec(id, { command: ["curl", "-sS", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "-H", `Host: ${host}`, `http://${address}/`], timeoutMs: 15_000 });
  return { result: r.exitCode === 0 ? r.stdout.trim() : `exit ${r.exitCode}`, seconds: (Date.now() - started) / 1000 };
}

/** Packets the queue rule has sent to NFQUEUE so far. */
function queuedPackets(): number {
  const out = world.exec(world.host, ["iptables", "-w", "5", "-t", "mangle", "-L", "FORWARD", "-v", "-x", "-n"]);
  const line = out.split("\n").find((l) => l.includes(`NFQUEUE num ${QUEUE}`));
  if (!line) throw new Error(`no queue rule in:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/**
 * The queue counter once it has stopped moving: it counts every sandbox's packets, and a connection
 * an earlier test left undecided (its reader stopped) is retransmitted for a few seconds more.
 */
async function settledQueuedPackets(): Promise<number> {
  let last = queuedPackets();
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = queuedPackets();
    if (now === last) return now;
    last = now;
  }
  throw new Error("the queue counter never stopped moving");
}

const nameEvents = (id: string) => events.filter((e) => e.sessionId === id && e.kind === "connection" && (e.queryType === "SNI" || e.queryType === "Host"));

describe("egress allow with a denied domain", () => {
  let a = "";
  beforeAll(async () => {
    a = await start({ egress: "allow", allowOut: [], denyOut: ["denied.test", "*.wild.test"] });
  }, 60_000);

  it("resets plain HTTP whose Host is denied, at once, even to an allowed address; other names pass", async () => {
    const denied = await http(a, INTERNET.allowed, "denied.test");
    expect(denied.result).toBe("exit 56"); // curl: connection reset
    expect(denied.seconds).toBeLessThan(1.5);
    expect((await http(a, INTERNET.allowed, "b.wild.test:80")).result).toBe("exit 56");
    expect((await http(a, INTERNET.allowed, "allowed.test")).result).toBe("200");
    expect((await http(a, INTERNET.other, "other.test")).result).toBe("200");
    expect((await http(a, INTERNET.allowed, INTERNET.allowed)).result).toBe("200"); // an IP-literal Host: the address rules decided
  });

  it("resets TLS whose SNI is denied, at once; other names pass", async () => {
    const denied = await tls(a, INTERNET.allowed, "denied.test");
    expect(denied.result).toBe("reset");
    expect(denied.seconds).toBeLessThan(1.5);
    expect((await tls(a, INTERNET.other, "a.wild.test")).result).toBe("reset");
    expect((await tls(a, INTERNET.allowed, "allowed.test")).result).toBe("sni=allowed.test");
    expect((await tls(a, INTERNET.other, "other.test")).result).toBe("sni=other.test");
  });

  it("decides a ClientHello split over two TCP segments", async () => {
    expect((await tls(a, INTERNET.allowed, "denied.test", true)).result).toBe("reset");
    expect((await tls(a, INTERNET.allowed, "other.test", true)).result).toBe("sni=other.test");
  });

  it("records each decision on a name with its rule, entry, name and how it was read", async () => {
    await waitFor(async () => nameEvents(a).length >= 9, { what: "the name decisions recorded", timeoutMs: 5_000, intervalMs: 100 });
    expect(nameEvents(a)).toContainEqual(expect.objectContaining({ verdict: "denied", rule: "deny_out", entry: "denied.test", name: "denied.test", queryType: "Host", destination: INTERNET.allowed, port: 80 }));
    expect(nameEvents(a)).toContainEqual(expect.objectContaining({ verdict: "denied", rule: "deny_out", entry: "*.wild.test", name: "a.wild.test", queryType: "SNI", destination: INTERNET.other, port: 443 }));
    expect(nameEvents(a)).toContainEqual(expect.objectContaining({ verdict: "allowed", rule: "egress", entry: null, name: "other.test", queryType: "SNI" }));
  });

  it("refuses QUIC (UDP 443), whose name it does not read", async () => {
    const r = await backend.exec(a, { command: ["python3", "-c", `import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.connect(("${INTERNET.other}", 443)); s.send(b"x"); s.recv(1)`] });
    expect(r.stderr).toContain("No route to host"); // ICMP administratively prohibited (no listener would be "refused")
  });

  it("takes a live policy change into account for names", async () => {
    await network.applyPolicy(a, { egress: "allow", allowOut: [], denyOut: ["other.test"] });
    expect((await tls(a, INTERNET.allowed, "denied.test")).result).toBe("sni=denied.test");
    expect((await tls(a, INTERNET.allowed, "other.test")).result).toBe("reset");
    expect((await http(a, INTERNET.allowed, "other.test")).result).toBe("exit 56");
  });

  it("fails closed while the queue reader is down, and works again once it is restarted", async () => {
    const pids = execFileSync("ip", ["netns", "pids", world.host], { encoding: "utf8" }).split("\n").filter(Boolean);
    const reader = pids.find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").some((arg) => arg.endsWith("nfqueue-reader.py"));
      } catch {
        return false;
      }
    });
    expect(reader).toBeDefined();
    process.kill(Number(reader), "SIGSTOP"); // the reader stuck: nothing it holds passes
    try {
      expect((await tls(a, INTERNET.allowed, "allowed.test")).result).toBe("timeout");
    } finally {
      process.kill(Number(reader), "SIGKILL"); // gone: the resolver starts another
    }
    await waitFor(async () => (await tls(a, INTERNET.allowed, "allowed.test")).result === "sni=allowed.test", { what: "the reader started again", timeoutMs: 20_000, intervalMs: 500 });
  }, 60_000);
});

describe("egress deny with an allowed domain", () => {
  it("refuses another name on the allowed domain's address (fronting); the allowed name passes", async () => {
    const b = await start({ egress: "deny", allowOut: ["allowed.test", "203.0.113.10/32"], denyOut: [] });
    // The sandbox learns allowed.test's address by asking the resolver.
    const looked = await backend.exec(b, { command: ["curl", "-sS", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://allowed.test/"] });
    expect(looked.stdout).toBe("200");
    expect((await tls(b, INTERNET.allowed, "allowed.test")).result).toBe("sni=allowed.test");
    expect((await tls(b, INTERNET.allowed, "other.test")).result).toBe("reset");
    expect((await tls(b, INTERNET.allowed, "other.test", true)).result).toBe("reset");
    expect((await http(b, INTERNET.allowed, "other.test")).result).toBe("exit 56");
    // An address allowOut names explicitly takes any name.
    expect((await tls(b, "203.0.113.10", "other.test")).result).toBe("sni=other.test");
    await waitFor(async () => nameEvents(b).some((e) => e.verdict === "denied"), { what: "the fronting refusal recorded", timeoutMs: 5_000, intervalMs: 100 });
    expect(nameEvents(b)).toContainEqual(expect.objectContaining({ verdict: "denied", rule: "egress", entry: null, name: "other.test", queryType: "SNI", destination: INTERNET.allowed }));
    expect(nameEvents(b)).toContainEqual(expect.objectContaining({ verdict: "allowed", rule: "allow_out", entry: "203.0.113.10/32", name: "other.test" }));
  });
});

describe("a sandbox without domain rules", () => {
  it("is not queued at all", async () => {
    const c = await start({ egress: "allow", allowOut: [], denyOut: [`${INTERNET.denied}/32`] });
    const before = await settledQueuedPackets();
    expect((await tls(c, INTERNET.allowed, "denied.test")).result).toBe("sni=denied.test");
    expect((await http(c, INTERNET.allowed, "denied.test")).result).toBe("200");
    expect(queuedPackets()).toBe(before);
    expect(nameEvents(c)).toEqual([]);
  }, 60_000);
});

describe("runner restart and delete", () => {
  it("a restarted runner keeps inspecting, with one queue rule; delete leaves no per-sandbox rule", async () => {
    const d = await start({ egress: "allow", allowOut: [], denyOut: ["denied.test"] });
    network.close();
    network = createSandboxNetworking({
      stateDir, bridge: "burrow0", cidr: "10.88.0.0/16", table: TABLE, hostNetns: world.host, upstreamDns: [INTERNET.dns], blocked: [],
      inspectQueue: QUEUE, onEvent: (e) => events.push(e), log: (m) => console.log(`[net] ${m}`),
    });
    backend = createRuncBackend({ stateDir, network });
    await network.resume();
    expect((await tls(d, INTERNET.allowed, "denied.test")).result).toBe("reset");
    expect((await tls(d, INTERNET.allowed, "other.test")).result).toBe("sni=other.test");
    const rules = world.exec(world.host, ["iptables", "-w", "5", "-t", "mangle", "-S", "FORWARD"]).split("\n").filter((l) => l.includes("NFQUEUE"));
    expect(rules).toHaveLength(1);
    for (const id of live.splice(0)) await backend.destroy(id);
    expect(world.exec(world.host, ["nft", "list", "table", "inet", TABLE])).not.toMatch(/chain s_|ct mark set ct mark \| 0x0*100/);
  }, 60_000);
});
