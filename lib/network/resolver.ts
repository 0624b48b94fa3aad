// The resolver every networked sandbox uses (its /etc/resolv.conf names the bridge address, and
// port 53 to anywhere else is redirected here). It answers by the asking sandbox's policy, known by
// its source address: a name denyOut names is REFUSED; with egress "deny", a name no allowOut
// domain names is REFUSED unless all its addresses are in allowOut ranges. The A records of names a
// policy names go into that sandbox's nftables sets before the answer leaves (allowed: ad_, denied:
// dd_), so a connection that follows is decided by them, IP literal or not. Denied plain domains
// are also looked up when a policy is loaded, so their IPs are refused before anyone asks.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { answerAddresses, buildQuery, type DnsQuestion, errorReply, parseQuestion, RCODE_REFUSED, RCODE_SERVFAIL, TYPE_A, typeName } from "./dns-message";
import { run } from "./host-commands";
import { startNameInspector } from "./name-inspector";
import type { NetworkEventRecord } from "./network-event";
import { type ConnectionRule, learnedElementsScript, learnedTimeoutSeconds, sandboxNetNames } from "./nft-ruleset";
import { ipv4InEntries, matchingDomainEntry, matchingIpEntry, nameVerdict, splitEntries } from "./policy-match";
import type { SandboxNetRecord } from "./sandbox-net-record";

const UPSTREAM_TIMEOUT_MS = 2_000;
/** Re-add an address this long before its element would time out. */
const KNOWN_MARGIN_MS = 60_000;

export type ResolverOptions = {
  listen: string; upstreams: string[]; table: string; recordsDir: string; log: (m: string) => void;
  /** The flight recorder: every lookup, and (with logGroup) every connection attempt the firewall logs. */
  onEvent?: (event: NetworkEventRecord) => void;
  logGroup?: number | null;
  /** NFQUEUE queue of the name inspection (TLS SNI, HTTP Host); null: names in connections are not read. */
  queue?: number | null;
};

export async function startResolver(opts: ResolverOptions) {
  const byIp = new Map<string, SandboxNetRecord>();
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(53, opts.listen, () => resolve());
  });

  /** set|ip → when its element times out: an address already in the set for long enough costs no nft call. */
  const known = new Map<string, number>();
  /** set|ip → the domain entry it was learned for: the rule a connection to it is recorded with. */
  const learnedFor = new Map<string, string>();
  const LEARNED_FOR_MAX = 100_000;
  const learn = async (rec: SandboxNetRecord, which: "allow" | "deny", ips: { ip: string; ttl: number }[], entry: string | null) => {
    const n = sandboxNetNames(rec.key);
    const set = which === "allow" ? n.allowDns : n.denyDns;
    if (learnedFor.size >= LEARNED_FOR_MAX) learnedFor.clear(); // bounded: old mappings are only labels
    if (entry) for (const { ip } of ips) learnedFor.set(`${set}|${ip}`, entry);
    const now = Date.now();
    const fresh = ips.filter(({ ip }) => (known.get(`${set}|${ip}`) ?? 0) < now + KNOWN_MARGIN_MS);
    if (!fresh.length) return;
    const r = await run("nft", ["-f", "-"], learnedElementsScript(opts.table, set, fresh));
    if (r.exitCode !== 0) return opts.log(`resolver: recording ${which} addresses for ${rec.id}: ${r.stderr.trim()}`);
    // `add element` keeps an existing element's timeout: count from the first time only when new.
    for (const { ip, ttl } of fresh) if (!known.has(`${set}|${ip}`)) known.set(`${set}|${ip}`, now + learnedTimeoutSeconds(ttl) * 1000);
  };

  async function upstream(query: Buffer): Promise<Buffer | null> {
    for (const server of opts.upstreams) {
      const answer = await new Promise<Buffer | null>((resolve) => {
        const s = dgram.createSocket(server.includes(":") ? "udp6" : "udp4");
        const timer = setTimeout(() => done(null), UPSTREAM_TIMEOUT_MS);
        function done(v: Buffer | null) {
          clearTimeout(timer);
          s.close();
          resolve(v);
        }
        s.on("error", () => done(null));
        s.on("message", (m) => done(m));
        s.send(query, 53, server);
      });
      if (answer) return answer;
    }
    return null;
  }

  const lookup = (rec: SandboxNetRecord, q: DnsQuestion, verdict: "allowed" | "denied", rule: ConnectionRule, entry: string | null, ips: { ip: string }[] = []) =>
    opts.onEvent?.({ sessionId: rec.id, atMs: Date.now(), kind: "dns", verdict, rule, entry, name: q.name, queryType: typeName(q.type), answers: ips.map((i) => i.ip) });

  async function answer(query: Buffer, from: string): Promise<Buffer | null> {
    const q = parseQuestion(query);
    if (!q) return null;
    const rec = byIp.get(from);
    if (!rec) return errorReply(query, q, RCODE_REFUSED);
    const verdict = nameVerdict(rec.policy, q.name);
    if (verdict === "deny") {
      const entry = matchingDomainEntry(q.name, rec.policy.denyOut);
      lookup(rec, q, "denied", "deny_out", entry);
      // Refused at once; the addresses are still learned (in the background) for IP literals.
      void upstream(buildQuery(q.id, q.name)).then((a) => a && learn(rec, "deny", answerAddresses(a), entry));
      return errorReply(query, q, RCODE_REFUSED);
    }
    const reply = await upstream(query);
    if (!reply) return errorReply(query, q, RCODE_SERVFAIL);
    const ips = answerAddresses(reply);
    if (verdict === "allow") {
      const entry = matchingDomainEntry(q.name, rec.policy.allowOut);
      await learn(rec, "allow", ips, entry);
      lookup(rec, q, "allowed", "allow_out", entry, ips);
      return reply;
    }
    if (rec.policy.egress === "allow") {
      lookup(rec, q, "allowed", "egress", null, ips);
      return reply;
    }
    // egress "deny", a name no rule names: only an answer wholly inside allowOut's ranges is useful.
    const inRanges = q.type === TYPE_A && ips.length > 0 && ips.every(({ ip }) => ipv4InEntries(ip, rec.policy.allowOut));
    if (inRanges) lookup(rec, q, "allowed", "allow_out", matchingIpEntry(ips[0].ip, rec.policy.allowOut), ips);
    else lookup(rec, q, "denied", "egress", null);
    return inRanges ? reply : errorReply(query, q, RCODE_REFUSED);
  }

  /** A packet the firewall logged (nft `log group`): which sandbox, and which entry of its rule. */
  function connection(p: { prefix: string; src?: string; dst?: string; proto?: string; dport?: number }) {
    const rec = p.src ? byIp.get(p.src) : undefined;
    if (!rec || !p.dst) return;
    const [verdict, rule] = p.prefix.split(":") as ["allowed" | "denied", ConnectionRule];
    const n = sandboxNetNames(rec.key);
    const entry = rule === "deny_out" ? matchingIpEntry(p.dst, rec.policy.denyOut) ?? learnedFor.get(`${n.denyDns}|${p.dst}`) ?? null
      : rule === "allow_out" ? matchingIpEntry(p.dst, rec.policy.allowOut) ?? learnedFor.get(`${n.allowDns}|${p.dst}`) ?? null
      : null;
    opts.onEvent?.({ sessionId: rec.id, atMs: Date.now(), kind: "connection", verdict, rule, entry, destination: p.dst, port: p.dport ?? null, protocol: p.proto ?? null });
  }

  // Connection attempts: the kernel hands logged packets to NFLOG; a small reader (Python: Node has
  // no netlink sockets) prints them as JSON lines. Without it, lookups are still recorded.
  let nflog: ReturnType<typeof spawn> | null = null;
  if (opts.logGroup != null && opts.onEvent) {
    // -B: the readers import nfnetlink.py, and no __pycache__ is written into the source tree (which may be read-only).
    nflog = spawn("python3", ["-B", fileURLToPath(new URL("./nflog-reader.py", import.meta.url)), String(opts.logGroup)], { stdio: ["pipe", "pipe", "pipe"] });
    nflog.on("error", (e) => opts.log(`connection recorder: ${e.message}`));
    nflog.stderr?.on("data", (d) => opts.log(`connection recorder: ${String(d).trim()}`));
    createInterface({ input: nflog.stdout! }).on("line", (line) => {
      try {
        const p = JSON.parse(line) as { prefix?: string; overrun?: number };
        if (p.overrun) opts.log(`connection recorder: the kernel dropped logged packets (${p.overrun} overruns)`);
        else if (p.prefix) connection(p as { prefix: string });
      } catch {
        // "ready", or a line cut short: nothing to record
      }
    });
  }

  // Names in the first bytes of web connections: decided by the asking sandbox's policy, each
  // decision recorded like a connection attempt, with the name and how it was read (SNI or Host).
  const names = opts.queue == null ? null : startNameInspector({
    queue: opts.queue, log: opts.log,
    policyOf: (src) => byIp.get(src)?.policy ?? null,
    onDecision: (d) => {
      const rec = byIp.get(d.src);
      if (rec) {
        opts.onEvent?.({
          sessionId: rec.id, atMs: Date.now(), kind: "connection", verdict: d.verdict, rule: d.rule, entry: d.entry,
          name: d.name, queryType: d.via === "sni" ? "SNI" : "Host", destination: d.dst, port: d.dport, protocol: "tcp",
        });
      }
    },
  });

  socket.on("message", (msg, rinfo) => {
    void answer(msg, rinfo.address)
      .then((reply) => reply && socket.send(reply, rinfo.port, rinfo.address))
      .catch((e) => opts.log(`resolver: ${(e as Error).message}`));
  });

  /** Reads every sandbox's record again; denied plain domains of the sandboxes named are looked up now. */
  async function reload(lookUpFor: string[] | "all" = []): Promise<void> {
    const names = await fs.readdir(opts.recordsDir).catch(() => [] as string[]);
    byIp.clear();
    for (const name of names.filter((n) => n.endsWith(".json"))) {
      const rec = JSON.parse(await fs.readFile(path.join(opts.recordsDir, name), "utf8").catch(() => "null")) as SandboxNetRecord | null;
      if (rec?.ip) byIp.set(rec.ip, rec);
    }
    // A sandbox gone, or made again (new, empty sets): forget what its old sets held.
    const byKey = new Set([...byIp.values()].map((r) => r.key));
    const keep = new Set([...byIp.values()].filter((r) => lookUpFor !== "all" && !lookUpFor.includes(r.id)).map((r) => r.key));
    for (const k of known.keys()) if (!keep.has(k.split("|")[0].slice(3))) known.delete(k);
    for (const k of learnedFor.keys()) if (!byKey.has(k.split("|")[0].slice(3))) learnedFor.delete(k);
    await Promise.all([...byIp.values()].filter((r) => lookUpFor === "all" || lookUpFor.includes(r.id)).flatMap((rec) =>
      splitEntries(rec.policy.denyOut).domains.map(async (domain, i) => {
        const a = await upstream(buildQuery((Date.now() + i) & 0xffff, domain));
        if (a) await learn(rec, "deny", answerAddresses(a), domain);
      })));
  }

  return {
    reload,
    close: () => {
      socket.close();
      nflog?.kill("SIGTERM");
      names?.close();
    },
  };
}
