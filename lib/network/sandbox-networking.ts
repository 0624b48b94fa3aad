// A runner's sandbox network: one bridge with the range's first address, NAT out, the nftables
// table, the resolver; then per sandbox a network namespace (`ip netns add`: a bind-mounted path
// runc joins), a veth from it into the bridge, an address, and its policy chain. The runner host's
// side is set up on first use (a runner whose sessions all have network "none" touches nothing).
// Everything lives in the kernel (and /run/netns) and in small files under stateDir, so a runner
// restart keeps it; detach removes all of it.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { claimAddress, rangeOf, releaseAddress } from "./address-pool";
import { hostCommands, run } from "./host-commands";
import { runnerRuleset, sandboxAttachScript, sandboxDetachCommands, sandboxNetNames, sandboxPolicyScript } from "./nft-ruleset";
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
  close(): void;
};

export const netKeyOf = (id: string) => createHash("sha256").update(id).digest("hex").slice(0, 10);
const RESOLVER_START_MS = 15_000;

export function createSandboxNetworking(cfg: SandboxNetworkingConfig): SandboxNetworking {
  const host = hostCommands(cfg.hostNetns);
  const dir = path.join(cfg.stateDir, ".network");
  const recordsDir = path.join(dir, "sandboxes");
  const addressesDir = path.join(dir, "addresses");
  const resolvConf = path.join(dir, "resolv.conf");
  const { gateway, bits } = rangeOf(cfg.cidr);
  const recordPath = (key: string) => path.join(recordsDir, `${key}.json`);
  let ready: Promise<void> | null = null;
  let resolver: ChildProcess | null = null;
  const waiting: (() => void)[] = [];

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
      runnerRuleset({ table, bridge: cfg.bridge, cidr: cfg.cidr, gateway, blocked: [...(await connectedNetworks()), ...cfg.blocked] }),
      ...records.flatMap((r) => [sandboxPolicyScript(table, r.key, r.policy), sandboxAttachScript(table, r.key, r.ip)]),
    ].join("\n");
    await host.nft(script);
    await startResolver();
  }

  async function startResolver(): Promise<void> {
    const [cmd, args] = host.argv(process.execPath, [
      "--import", "tsx", fileURLToPath(new URL("./resolver-daemon.ts", import.meta.url)),
      "--listen", gateway, "--upstream", (await upstreams()).join(","), "--table", cfg.table, "--records", recordsDir,
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
      });
    });
    await started;
    resolver = child;
    child.once("exit", () => {
      if (resolver === child) {
        resolver = null;
        ready = null; // the next attach starts it again
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

  async function detach(id: string): Promise<void> {
    const key = netKeyOf(id);
    const n = sandboxNetNames(key);
    const rec = await fs.readFile(recordPath(key), "utf8").then((t) => JSON.parse(t) as SandboxNetRecord).catch(() => null);
    if (!rec && !existsSync(`/run/netns/${n.netns}`)) return; // network "none", or already removed
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
      try {
        await fs.writeFile(recordPath(key), JSON.stringify({ id, key, ip, policy } satisfies SandboxNetRecord));
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
        await host.nft(sandboxPolicyScript(cfg.table, key, policy) + sandboxAttachScript(cfg.table, key, ip));
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
      await host.nft(sandboxPolicyScript(cfg.table, key, policy));
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
    close() {
      resolver?.kill("SIGTERM");
      resolver = null;
    },
  };
}
