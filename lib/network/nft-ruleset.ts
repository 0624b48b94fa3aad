// The nftables rules of a runner's sandbox network, as `nft -f` scripts. Pure: same input, same
// text. One `inet` table per runner holds the always-blocked sets, the DNS redirect, NAT, and one
// chain plus four sets per sandbox, reached through a verdict map keyed by the sandbox's address
// (one lookup per new connection however many sandboxes there are). A `bridge` table keeps
// sandboxes apart at layer 2 and pins each veth to its one address.
import { isIP } from "node:net";
import { needsNameInspection, splitEntries } from "./policy-match";
import type { EgressPolicy } from "./schemas";

export type RunnerNet = {
  table: string;
  bridge: string;
  /** The runner's sandbox range, e.g. 10.88.0.0/16. */
  cidr: string;
  /** The bridge's address: the sandboxes' gateway and resolver. */
  gateway: string;
  /** Always blocked besides the built-in ones: the runner host's connected networks, SANDBOX_NET_BLOCK, Postgres. */
  blocked: string[];
  /** NFLOG group the flight recorder reads connection attempts from; null: nothing is logged. */
  logGroup?: number | null;
};

/** What decided a connection attempt, as the flight recorder names it. */
export type ConnectionRule = "always_blocked" | "deny_out" | "allow_out" | "egress";

/**
 * `log` before a verdict: the packet goes to the NFLOG group with a prefix naming the verdict and
 * the rule ("denied:deny_out"), then the verdict applies as before (a refusal is still a reset at
 * once). Only packets that reach a verdict rule are logged: new connections and refused packets,
 * never an established connection's traffic.
 */
export function logStatement(logGroup: number | null | undefined, verdict: "allowed" | "denied", rule: ConnectionRule): string {
  return logGroup == null ? "" : `log prefix "${verdict}:${rule}" group ${logGroup} snaplen 64 `;
}

// Names in the first bytes (lib/network/name-inspection.ts): a sandbox whose policy needs it has its
// new TCP connections to ports 80 and 443 marked INSPECT (a conntrack mark bit) by its own chain.
// One iptables rule (inspectQueueRule: nft's own \`queue\` needs nft_queue, which kernels like
// Debian's may lack, while xt_NFQUEUE through nft_compat is there) hands the original-direction
// packets of an established connection marked INSPECT and not yet DECIDED to an NFQUEUE queue,
// from the mangle hook (before this table's forward chain). The resolver's reader accepts each
// packet with a packet mark saying what it decided; the forward chain turns that into the
// connection's mark: DECIDED (nothing more is queued), or DECIDED|DENIED (a reset now and for every
// later packet). After the first bytes the kernel alone handles the connection.
export const CT_INSPECT = 0x100;
export const CT_DECIDED = 0x200;
export const CT_DENIED = 0x400;
/** Packet marks of the reader's verdicts. */
export const MARK_ALLOWED = 0x200;
export const MARK_DENIED = 0x400;
const hex = (n: number) => `0x${n.toString(16)}`;

/** The iptables arguments (after -C/-A/-D) of the one queue rule of a runner's bridge. */
export function inspectQueueRule(bridge: string, queue: number): string[] {
  return [
    "FORWARD", "-i", bridge, "-p", "tcp", "-m", "multiport", "--dports", "80,443",
    "-m", "connmark", "--mark", `${hex(CT_INSPECT)}/${hex(CT_INSPECT | CT_DECIDED)}`,
    "-m", "conntrack", "--ctstate", "ESTABLISHED", "--ctdir", "ORIGINAL",
    "-m", "comment", "--comment", "burrow name inspection", "-j", "NFQUEUE", "--queue-num", String(queue),
  ];
}

/** Host-side veth names start with this (15 bytes at most: bv + 10 hex). */
export const VETH_PREFIX = "bv";

/** Never reachable from a sandbox, whatever its policy: loopback, link-local (and with it 169.254.169.254), EC2's IPv6 metadata. */
export const BUILTIN_BLOCKED = ["127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "224.0.0.0/4", "255.255.255.255/32", "::1/128", "fe80::/10", "fd00:ec2::254/128"];

export type SandboxNetNames = { chain: string; allowNet: string; denyNet: string; allowDns: string; denyDns: string; veth: string; netns: string };

/** Names derived from a short key (sandbox ids are too long for interface names). */
export function sandboxNetNames(key: string): SandboxNetNames {
  return {
    chain: `s_${key}`, allowNet: `an_${key}`, denyNet: `dn_${key}`, allowDns: `ad_${key}`, denyDns: `dd_${key}`,
    veth: `${VETH_PREFIX}${key}`, netns: `burrow-${key}`,
  };
}

const list = (items: string[]) => (items.length ? `elements = { ${items.join(", ")} }` : "");

export function runnerRuleset(net: RunnerNet): string {
  const blocked = [...BUILTIN_BLOCKED, net.cidr, ...net.blocked];
  const v4 = blocked.filter((e) => isIP(e.split("/")[0]) === 4);
  const v6 = blocked.filter((e) => isIP(e.split("/")[0]) === 6);
  const br = JSON.stringify(net.bridge);
  const blockedLog = logStatement(net.logGroup, "denied", "always_blocked");
  // To the runner host itself, only unicast is an attempt worth recording: a sandbox's interface
  // coming up sends multicast (IPv6 router and listener messages) that is refused unrecorded.
  // The bridge rules judge only this runner's veths (the set veths): another runner's table on the
  // same host must not drop frames of its sandboxes, whose veths have the same prefix.
  // input: a sandbox reaches the runner host only for DNS; "established" lets through the replies on
  // connections the host opened to a sandbox (the preview proxy), never a connection a sandbox opens.
  // Deleted and made again in one transaction: the base chains are replaced atomically, and the
  // per-sandbox chains, sets and map are re-added by the caller in the same script.
  return `
table inet ${net.table} {
  set blocked4 { type ipv4_addr; flags interval; auto-merge; ${list(v4)} }
  set blocked6 { type ipv6_addr; flags interval; auto-merge; ${list(v6)} }
  map sandboxes { type ipv4_addr : verdict; }
  chain deny {
    meta l4proto tcp reject with tcp reset
    reject with icmpx type admin-prohibited
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname ${br} ip daddr ${net.gateway} meta l4proto { tcp, udp } th dport 53 accept
    iifname ${br} ct state established,related accept
    ${blockedLog ? `iifname ${br} meta pkttype host ${blockedLog}goto deny\n    ` : ""}iifname ${br} goto deny
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname ${br} ct mark & ${hex(CT_INSPECT)} == ${hex(CT_INSPECT)} jump inspected
    iifname ${br} goto from_sandbox
    oifname ${br} ct mark & ${hex(CT_DENIED)} == ${hex(CT_DENIED)} drop
    oifname ${br} ct state established,related accept
    oifname ${br} goto deny
  }
  chain inspected {
    meta mark & ${hex(MARK_DENIED)} == ${hex(MARK_DENIED)} ct mark set ct mark | ${hex(CT_DECIDED | CT_DENIED)} goto deny
    meta mark & ${hex(MARK_ALLOWED)} == ${hex(MARK_ALLOWED)} ct mark set ct mark | ${hex(CT_DECIDED)} return
    ct mark & ${hex(CT_DENIED)} == ${hex(CT_DENIED)} goto deny
  }
  chain from_sandbox {
    meta nfproto ipv6 ${blockedLog}goto deny
    ip daddr @blocked4 ${blockedLog}goto deny
    ct state established,related accept
    ip saddr vmap @sandboxes
    goto deny
  }
  chain dns_redirect {
    type nat hook prerouting priority dstnat; policy accept;
    iifname ${br} meta l4proto { tcp, udp } th dport 53 dnat ip to ${net.gateway}
  }
  chain snat_out {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${net.cidr} ip daddr != ${net.cidr} masquerade
  }
}
table bridge ${net.table} {
  set ports { type ifname . ipv4_addr; }
  set veths { type ifname; }
  chain prerouting {
    type filter hook prerouting priority filter; policy accept;
    iifname @veths ether type ip iifname . ip saddr != @ports drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname @veths oifname "${VETH_PREFIX}*" drop
  }
}
`;
}

/**
 * A sandbox's chain and sets, filled from its policy, in one transaction (a live change replaces
 * them atomically). Addresses learned by the resolver (ad_/dd_) are kept across changes.
 */
export function sandboxPolicyScript(table: string, key: string, policy: EgressPolicy, logGroup: number | null = null, inspect = false): string {
  const n = sandboxNetNames(key);
  const t = `inet ${table}`;
  const allow = splitEntries(policy.allowOut).v4;
  const deny = splitEntries(policy.denyOut).v4;
  const log = (verdict: "allowed" | "denied", rule: ConnectionRule) => logStatement(logGroup, verdict, rule);
  const lines = [
    `add set ${t} ${n.allowNet} { type ipv4_addr; flags interval; auto-merge; }`,
    `add set ${t} ${n.denyNet} { type ipv4_addr; flags interval; auto-merge; }`,
    `add set ${t} ${n.allowDns} { type ipv4_addr; flags timeout; }`,
    `add set ${t} ${n.denyDns} { type ipv4_addr; flags timeout; }`,
    `add chain ${t} ${n.chain}`,
    `flush chain ${t} ${n.chain}`,
    `flush set ${t} ${n.allowNet}`,
    `flush set ${t} ${n.denyNet}`,
    ...(allow.length ? [`add element ${t} ${n.allowNet} { ${allow.join(", ")} }`] : []),
    ...(deny.length ? [`add element ${t} ${n.denyNet} { ${deny.join(", ")} }`] : []),
    // Names in the first bytes of web connections (see CT_INSPECT); the verdicts below still apply.
    ...(inspect && needsNameInspection(policy) ? [`add rule ${t} ${n.chain} tcp dport { 80, 443 } ct mark set ct mark | ${hex(CT_INSPECT)}`] : []),
    // denyOut wins over allowOut; what neither names follows egress.
    `add rule ${t} ${n.chain} ip daddr @${n.denyNet} ${log("denied", "deny_out")}goto deny`,
    `add rule ${t} ${n.chain} ip daddr @${n.denyDns} ${log("denied", "deny_out")}goto deny`,
    // QUIC (HTTP/3) carries its name where this firewall does not read it: refused, but to an
    // address allowOut names explicitly (clients fall back to TCP, whose name is read).
    ...(inspect && needsNameInspection(policy) ? [`add rule ${t} ${n.chain} udp dport 443 ip daddr != @${n.allowNet} ${log("denied", "egress")}goto deny`] : []),
    `add rule ${t} ${n.chain} ip daddr @${n.allowNet} ${log("allowed", "allow_out")}accept`,
    `add rule ${t} ${n.chain} ip daddr @${n.allowDns} ${log("allowed", "allow_out")}accept`,
    policy.egress === "allow" ? `add rule ${t} ${n.chain} ${log("allowed", "egress")}accept` : `add rule ${t} ${n.chain} ${log("denied", "egress")}goto deny`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Routes the sandbox's address to its chain and pins its veth to that address. */
export function sandboxAttachScript(table: string, key: string, ip: string): string {
  const n = sandboxNetNames(key);
  return [
    `add element inet ${table} sandboxes { ${ip} : goto ${n.chain} }`,
    `add element bridge ${table} ports { "${n.veth}" . ${ip} }`,
    `add element bridge ${table} veths { "${n.veth}" }`,
  ].join("\n") + "\n";
}

/** Each removal on its own: any of them may already be gone (a half-made or half-removed sandbox). */
export function sandboxDetachCommands(table: string, key: string, ip: string | null): string[] {
  const n = sandboxNetNames(key);
  const t = `inet ${table}`;
  return [
    ...(ip ? [`delete element ${t} sandboxes { ${ip} }`, `delete element bridge ${table} ports { "${n.veth}" . ${ip} }`] : []),
    `delete element bridge ${table} veths { "${n.veth}" }`,
    `flush chain ${t} ${n.chain}`,
    `delete chain ${t} ${n.chain}`,
    ...[n.allowNet, n.denyNet, n.allowDns, n.denyDns].map((s) => `delete set ${t} ${s}`),
  ];
}

/** Learned addresses of a domain the policy names, kept at least a few minutes past the answer's TTL. */
export const learnedTimeoutSeconds = (ttl: number) => Math.max(300, Math.min(ttl, 86_400));

export function learnedElementsScript(table: string, set: string, ips: { ip: string; ttl: number }[]): string {
  const els = ips.map(({ ip, ttl }) => `${ip} timeout ${learnedTimeoutSeconds(ttl)}s`);
  return `add element inet ${table} ${set} { ${els.join(", ")} }\n`;
}

// Egress metering: a table of its own (`<table>_meter`), never deleted when the runner remakes its
// policy table, so the counters keep counting across runner restarts and policy swaps. Its chain
// sits on the forward hook after the policy's (priority filter + 10): it sees only packets the
// policy accepted, so refused attempts and DNS to the runner's resolver are not egress. One pair
// of named counters per sandbox (o_<key> out, i_<key> in), reached through maps keyed by address;
// each counter's comment is its meter id, new whenever the pair is made (a reading is only ever
// compared with an earlier reading of the same pair).
export const meterTable = (table: string) => `${table}_meter`;

/** Idempotent: makes what is missing, keeps counters and map elements, replaces the chain's two rules atomically. */
export function meterRuleset(table: string, bridge: string): string {
  const t = `inet ${meterTable(table)}`;
  const br = JSON.stringify(bridge);
  return [
    `add table ${t}`,
    `add map ${t} out_bytes { type ipv4_addr : counter; }`,
    `add map ${t} in_bytes { type ipv4_addr : counter; }`,
    `add chain ${t} count { type filter hook forward priority filter + 10; policy accept; }`,
    `flush chain ${t} count`,
    `add rule ${t} count iifname ${br} counter name ip saddr map @out_bytes`,
    `add rule ${t} count oifname ${br} counter name ip daddr map @in_bytes`,
  ].join("\n") + "\n";
}

export const counterNames = (key: string) => ({ out: `o_${key}`, in: `i_${key}` });

/** A sandbox's counter pair (kept as they are when they exist) and its map entries. */
export function sandboxMeterScript(table: string, key: string, ip: string, meterId: string): string {
  const t = `inet ${meterTable(table)}`;
  const c = counterNames(key);
  return [
    `add counter ${t} ${c.out} { comment "${meterId}" }`,
    `add counter ${t} ${c.in} { comment "${meterId}" }`,
    `add element ${t} out_bytes { ${ip} : "${c.out}" }`,
    `add element ${t} in_bytes { ${ip} : "${c.in}" }`,
  ].join("\n") + "\n";
}

export function sandboxMeterDetachCommands(table: string, key: string, ip: string | null): string[] {
  const t = `inet ${meterTable(table)}`;
  const c = counterNames(key);
  return [
    ...(ip ? [`delete element ${t} out_bytes { ${ip} }`, `delete element ${t} in_bytes { ${ip} }`] : []),
    `delete counter ${t} ${c.out}`,
    `delete counter ${t} ${c.in}`,
  ];
}
