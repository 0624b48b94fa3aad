// A runner's sandbox network: one bridge with the range's first address, NAT out, the nftables
// table, the resolver; then per sandbox a network namespace (`ip netns add`: a bind-mounted path
// runc joins), a veth from it into the bridge, an address, and its policy chain. The runner host's
// side is set up on first use (a runner whose sessions all have network "none" touches nothing).
// Everything lives in the kernel (and /run/netns) and in small files under stateDir, so a runner
// restart keeps it; detach removes all of it.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { claimAddress, rangeOf, releaseAddress } from "./address-pool";
import { hostCommands, run } from "./host-commands";
import type { CounterReading, NetworkEventRecord } from "./network-event";
import {
  counterNames, inspectQueueRule, meterRuleset, meterTable, runnerRuleset, sandboxAttachScript, sandboxDetachCommands, sandboxMeterDetachCommands, sandboxMeterScript,
  sandboxNetNames, sandboxPolicyScript,
} from "./nft-ruleset";
import type { SandboxNetRecord } from "./sandbox-net-record";
import type { EgressPolicy } from "./schemas";

export type SandboxNetworkingConfig = {
  stateDir: string;
  bridge: string;
  cidr: string;
  table: string;
  /** Set up the bridge, rules and resolver in this named namespace instead of the runner's own. */
  hostNetns: string | null;
  /** Where the resolver forwards; default the host's /etc/resolv.conf nameservers. */
  upstreamDns: string[];
  /** Always blocked besides the built-in ones and the host's connected networks. */
  blocked: string[];
  /** NFLOG group of the flight recorder's connection attempts (null: connections are not recorded). */
  logGroup?: number | null;
  /**
   * NFQUEUE queue of the name inspection (TLS SNI and HTTP Host of sandboxes with domain rules);
   * null: domain rules follow DNS only. Needs `iptables` for its one queue rule.
   */
  inspectQueue?: number | null;
  /** The last reading of a sandbox's egress counters, taken just before its network is removed. */
  onFinalReading?: (reading: CounterReading) => Promise<void>;
  /** A DNS lookup or connection attempt of a sandbox (the flight recorder). */
  onEvent?: (event: NetworkEventRecord) => void;
  log: (m: string) => void;
};

export type SandboxNetworkAttachment = { netnsPath: string; ip: string };

export type SandboxNetworking = {
  /**
   * Gives the network namespace of a created (not yet started) container, by its init's pid, a
   * veth into the bridge, an address and its policy. The namespace is the container's own (runc
   * made it, in the sandbox's user namespace when there is one, so /sys can be mounted there); a
   * name under /run/netns is bound to it so the runner finds it again after a restart.
   */
  attach(id: string, policy: EgressPolicy, pid: number): Promise<SandboxNetworkAttachment>;
  /** The resolv.conf every networked sandbox gets (bound over its /etc/resolv.conf). */
  resolvConf(): Promise<string>;
  /** Replaces a sandbox's policy in one nft transaction (the old one stays if it fails). */
  applyPolicy(id: string, policy: EgressPolicy): Promise<void>;
  detach(id: string): Promise<void>;
  /** The sandbox's address from its record (null: no network here). */
  addressOf(id: string): Promise<string | null>;
  /** After a restart: brings the host side back when sandboxes with a network exist. */
  resume(): Promise<void>;
  /**
   * Every sandbox's egress counters now, plus final readings that could not be handed over when
   * their sandbox was removed (kept on disk until `settled`).
   */
  readCounters(): Promise<CounterReading[]>;
  /** These readings are recorded: spooled final readings among them are forgotten. */
  settled(readings: CounterReading[]): Promise<void>;
  close(): void;
};

export const netKeyOf = (id: string) => createHash("sha256").update(id).digest("hex").slice(0, 10);
const RESOLVER_START_MS = 15_000;
const RESOLVER_RESTART_MS = 1_000;

export function createSandboxNetworking(cfg: SandboxNetworkingConfig): SandboxNetworking {
  const host = hostCommands(cfg.hostNetns);
  const dir = path.join(cfg.stateDir, ".network");
  const recordsDir = path.join(dir, "sandboxes");
  const addressesDir = path.join(dir, "addresses");
  const resolvConf = path.join(dir, "resolv.conf");
  const spoolDir = path.join(dir, "final-readings");
  const newMeterId = () => `m${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
  const { gateway, bits } = rangeOf(cfg.cidr);
  const recordPath = (key: string) => path.join(recordsDir, `${key}.json`);
  let ready: Promise<void> | null = null;
  let resolver: ChildProcess | null = null;
  const waiting: (() => void)[] = [];
  const inspect = cfg.inspectQueue != null;

  async function connectedNetworks(): Promise<string[]> {
    const out = await host.ip("-j", "route", "show", "table", "main").catch(() => "[]");
    const routes = JSON.parse(out || "[]") as { dst: string; scope?: string; dev?: string }[];
    return routes.filter((r) => r.scope === "link" && r.dst !== "default" && r.dev !== cfg.bridge).map((r) => (r.dst.includes("/") ? r.dst : `${r.dst}/32`));
  }

  async function upstreams(): Promise<string[]> {
    if (cfg.upstreamDns.length) return cfg.upstreamDns;
    const text = await fs.readFile(cfg.hostNetns ? `/etc/netns/${cfg.hostNetns}/resolv.conf` : "/etc/resolv.conf", "utf8").catch(() => "");
    return [...text.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]);
  }

  async function setUpHost(): Promise<void> {
    await fs.mkdir(recordsDir, { recursive: true });
    await fs.chmod(dir, 0o711);
    await fs.writeFile(resolvConf, `# Burrow: the runner's resolver (it answers by this sandbox's egress policy)\nnameserver ${gateway}\noptions timeout:2 attempts:2\n`, { mode: 0o644 });
    const exists = (await host.ipQuiet("link", "show", cfg.bridge)).exitCode === 0;
    if (!exists) await host.ip("link", "add", cfg.bridge, "type", "bridge");
    await host.ipQuiet("addr", "add", `${gateway}/${bits}`, "dev", cfg.bridge);
    await host.ip("link", "set", cfg.bridge, "up");
    await host.sysctl("net.ipv4.ip_forward", "1");
    // The base table is made again on every start (new connected networks, new settings); the
    // sandboxes' chains, sets and map entries are re-added from their records in the same transaction.
    const records = await readRecords();
    const table = cfg.table;
    const script = [
      `table inet ${table} {}`, `delete table inet ${table}`, `table bridge ${table} {}`, `delete table bridge ${table}`,
      runnerRuleset({ table, bridge: cfg.bridge, cidr: cfg.cidr, gateway, blocked: [...(await connectedNetworks()), ...cfg.blocked], logGroup: cfg.logGroup }),
      ...records.flatMap((r) => [sandboxPolicyScript(table, r.key, r.policy, cfg.logGroup ?? null, inspect), sandboxAttachScript(table, r.key, r.ip)]),
    ].join("\n");
    await host.nft(script);
    // The meter table is never deleted: counters that exist keep counting. A counter pair that is
    // gone (the host rebooted) is made again under a new meter id, so its fresh zero is never
    // compared with the old pair's last reading.
    const existing = new Set((await listCounters()).map((c) => c.name));
    for (const r of records) {
      if (r.meterId && existing.has(counterNames(r.key).out)) continue;
      r.meterId = newMeterId();
      await fs.writeFile(recordPath(r.key), JSON.stringify(r satisfies SandboxNetRecord));
    }
    await host.nft(meterRuleset(table, cfg.bridge) + records.map((r) => sandboxMeterScript(table, r.key, r.ip, r.meterId!)).join(""));
    if (cfg.inspectQueue != null) await ensureQueueRule(cfg.inspectQueue);
    await startResolver();
  }

  /**
   * The one iptables rule that queues the first bytes of inspected connections (nft's own `queue`
   * needs nft_queue, which kernels like Debian's may lack). It is per bridge, kept across runner
   * restarts (added only when \`-C\` does not find it) and never per sandbox.
   */
  async function ensureQueueRule(queue: number): Promise<void> {
    const rule = inspectQueueRule(cfg.bridge, queue);
    const [cmd, check] = host.argv("iptables", ["-w", "5", "-t", "mangle", "-C", ...rule]);
    if ((await run(cmd, [...check])).exitCode === 0) return;
    const [, add] = host.argv("iptables", ["-w", "5", "-t", "mangle", "-A", ...rule]);
    const r = await run(cmd, [...add]);
    if (r.exitCode !== 0) throw new Error(`iptables (the name inspection's queue rule): ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  }

  async function startResolver(): Promise<void> {
    const [cmd, args] = host.argv(process.execPath, [
      "--import", "tsx", fileURLToPath(new URL("./resolver-daemon.ts", import.meta.url)),
      "--listen", gateway, "--upstream", (await upstreams()).join(","), "--table", cfg.table, "--records", recordsDir,
      ...(cfg.logGroup == null ? [] : ["--log-group", String(cfg.logGroup)]),
      ...(cfg.inspectQueue == null ? [] : ["--queue", String(cfg.inspectQueue)]),
    ]);
    const child = spawn(cmd, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr?.on("data", (d) => cfg.log(`resolver: ${String(d).trim()}`));
    const lines = createInterface({ input: child.stdout! });
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the sandbox resolver did not start")), RESOLVER_START_MS);
      child.once("exit", (code) => reject(new Error(`the sandbox resolver exited (${code})`)));
      lines.on("line", (line) => {
        if (line === "ready") {
          clearTimeout(timer);
          resolve();
        } else if (line === "ok") waiting.shift()?.();
        else if (line.startsWith("event ")) {
          try {
            cfg.onEvent?.(JSON.parse(line.slice(6)) as NetworkEventRecord);
          } catch (e) {
            cfg.log(`resolver event: ${(e as Error).message}`);
          }
        }
      });
    });
    await started;
    resolver = child;
    child.once("exit", (code, signal) => {
      if (resolver === child) {
        resolver = null;
        ready = null; // the next attach starts it again, and so does this, soon: DNS and the name
        // inspection (whose queued packets wait or are dropped meanwhile: it fails closed) are down
        cfg.log(`the sandbox resolver exited (${code ?? signal}); starting it again`);
        setTimeout(() => void ensureHost().catch((e) => cfg.log(`restarting the sandbox resolver: ${(e as Error).message}`)), RESOLVER_RESTART_MS).unref();
      }
    });
  }

  const resolverCommand = (line: string) => new Promise<void>((resolve) => {
    if (!resolver?.stdin) return resolve();
    const timer = setTimeout(resolve, 5_000);
    waiting.push(() => {
      clearTimeout(timer);
      resolve();
    });
    resolver.stdin.write(`${line}\n`);
  });

  async function readRecords(): Promise<SandboxNetRecord[]> {
    const names = await fs.readdir(recordsDir).catch(() => [] as string[]);
    const recs = await Promise.all(names.filter((n) => n.endsWith(".json")).map((n) => fs.readFile(path.join(recordsDir, n), "utf8").then((t) => JSON.parse(t) as SandboxNetRecord).catch(() => null)));
    return recs.filter((r): r is SandboxNetRecord => r !== null);
  }

  const ensureHost = () => (ready ??= setUpHost().catch((e) => {
    ready = null;
    throw e;
  }));

  type KernelCounter = { name: string; comment?: string; bytes: number };
  async function listCounters(): Promise<KernelCounter[]> {
    const [cmd, args] = host.argv("nft", ["-j", "list", "counters", "table", "inet", meterTable(cfg.table)]);
    const r = await run(cmd, [...args]);
    if (r.exitCode !== 0) return [];
    const items = (JSON.parse(r.stdout) as { nftables: { counter?: KernelCounter }[] }).nftables;
    return items.flatMap((i) => (i.counter ? [i.counter] : []));
  }

  /** A sandbox's reading from the kernel's counters (null when its pair does not exist). */
  function readingOf(rec: SandboxNetRecord, counters: Map<string, KernelCounter>): CounterReading | null {
    const c = counterNames(rec.key);
    const out = counters.get(c.out);
    const inn = counters.get(c.in);
    if (!out || !inn || !out.comment) return null;
    return { sessionId: rec.id, meterId: out.comment, bytesOut: BigInt(out.bytes), bytesIn: BigInt(inn.bytes) };
  }

  const spoolPath = (r: CounterReading) => path.join(spoolDir, `${r.sessionId}.${r.meterId}.json`);
  const toJson = (r: CounterReading) => JSON.stringify({ ...r, bytesOut: String(r.bytesOut), bytesIn: String(r.bytesIn) });

  async function detach(id: string): Promise<void> {
    const key = netKeyOf(id);
    const n = sandboxNetNames(key);
    const rec = await fs.readFile(recordPath(key), "utf8").then((t) => JSON.parse(t) as SandboxNetRecord).catch(() => null);
    if (!rec && !existsSync(`/run/netns/${n.netns}`)) return; // network "none", or already removed
    // The counters' last word before they go: handed over, or kept on disk until it can be.
    const final = rec ? readingOf(rec, new Map((await listCounters()).map((c) => [c.name, c]))) : null;
    if (final) {
      await Promise.resolve(cfg.onFinalReading?.(final)).catch(async (e) => {
        cfg.log(`egress counters of ${id}: ${(e as Error).message}; kept to record later`);
        await fs.mkdir(spoolDir, { recursive: true });
        await fs.writeFile(spoolPath(final), toJson(final));
      });
    }
    for (const c of sandboxMeterDetachCommands(cfg.table, key, rec?.ip ?? null)) await host.nftQuiet(c);
    for (const c of sandboxDetachCommands(cfg.table, key, rec?.ip ?? null)) await host.nftQuiet(c);
    await host.ipQuiet("link", "del", n.veth);
    await run("ip", ["netns", "del", n.netns]);
    // The host's neighbour entry names the gone veth's MAC: the address's next holder would be
    // unreachable from the host (replies, the preview proxy) until the entry ages out (~30 s).
    if (rec) await host.ipQuiet("neigh", "del", rec.ip, "dev", cfg.bridge);
    if (rec) await releaseAddress(addressesDir, rec.ip);
    await fs.rm(recordPath(key), { force: true });
    if (rec) await resolverCommand("reload");
  }

  return {
    async resolvConf() {
      await ensureHost();
      return resolvConf;
    },
    async attach(id, policy, pid) {
      await ensureHost();
      const key = netKeyOf(id);
      const n = sandboxNetNames(key);
      const netnsPath = `/run/netns/${n.netns}`;
      // A new container has a new namespace: whatever an earlier one of this sandbox left goes first.
      await detach(id);
      const ip = await claimAddress(addressesDir, cfg.cidr, id);
      const meterId = newMeterId();
      try {
        await fs.writeFile(recordPath(key), JSON.stringify({ id, key, ip, policy, meterId } satisfies SandboxNetRecord));
        const made = await run("ip", ["netns", "attach", n.netns, String(pid)]);
        if (made.exitCode !== 0) throw new Error(`ip netns attach: ${made.stderr.trim()}`);
        await host.ip("link", "add", n.veth, "type", "veth", "peer", "name", "eth0", "netns", n.netns);
        await host.ip("link", "set", n.veth, "master", cfg.bridge);
        // Isolated ports forward only to the bridge itself, never to each other.
        await host.ip("link", "set", n.veth, "type", "bridge_slave", "isolated", "on");
        await host.ip("link", "set", n.veth, "up");
        const inNs = async (...args: string[]) => {
          const r = await run("ip", ["-n", n.netns, ...args]);
          if (r.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
        };
        await inNs("link", "set", "lo", "up");
        // A /32 and a route to the gateway only: every packet, also one for a neighbour on the
        // bridge, goes through the runner host's firewall (and is refused at once there) rather
        // than waiting on an ARP answer the isolated bridge port never lets through.
        await inNs("addr", "add", `${ip}/32`, "dev", "eth0");
        await inNs("link", "set", "eth0", "up");
        await inNs("route", "add", gateway, "dev", "eth0", "scope", "link");
        await inNs("route", "add", "default", "via", gateway, "dev", "eth0");
        await host.ipQuiet("neigh", "del", ip, "dev", cfg.bridge); // a stale entry from an earlier holder (see detach)
        await host.nft(sandboxPolicyScript(cfg.table, key, policy, cfg.logGroup ?? null, inspect) + sandboxAttachScript(cfg.table, key, ip) + sandboxMeterScript(cfg.table, key, ip, meterId));
        await resolverCommand(`reload ${id}`);
        return { netnsPath, ip };
      } catch (e) {
        await detach(id).catch(() => {});
        throw e;
      }
    },
    async applyPolicy(id, policy) {
      const key = netKeyOf(id);
      const rec = JSON.parse(await fs.readFile(recordPath(key), "utf8")) as SandboxNetRecord;
      await host.nft(sandboxPolicyScript(cfg.table, key, policy, cfg.logGroup ?? null, inspect));
      await fs.writeFile(recordPath(key), JSON.stringify({ ...rec, policy } satisfies SandboxNetRecord));
      await resolverCommand(`reload ${id}`);
    },
    detach,
    async addressOf(id) {
      const rec = await fs.readFile(recordPath(netKeyOf(id)), "utf8").then((t) => JSON.parse(t) as SandboxNetRecord).catch(() => null);
      return rec?.ip ?? null;
    },
    async resume() {
      if ((await readRecords()).length) await ensureHost();
    },
    async readCounters() {
      const counters = new Map((await listCounters()).map((c) => [c.name, c]));
      const live = (await readRecords()).flatMap((r) => readingOf(r, counters) ?? []);
      const names = await fs.readdir(spoolDir).catch(() => [] as string[]);
      const spooled = await Promise.all(names.map(async (name) => {
        const j = JSON.parse(await fs.readFile(path.join(spoolDir, name), "utf8").catch(() => "null")) as (Omit<CounterReading, "bytesOut" | "bytesIn"> & { bytesOut: string; bytesIn: string }) | null;
        return j ? [{ ...j, bytesOut: BigInt(j.bytesOut), bytesIn: BigInt(j.bytesIn) }] : [];
      }));
      return [...live, ...spooled.flat()];
    },
    async settled(readings) {
      await Promise.all(readings.map((r) => fs.rm(spoolPath(r), { force: true })));
    },
    close() {
      resolver?.kill("SIGTERM");
      resolver = null;
    },
  };
}
