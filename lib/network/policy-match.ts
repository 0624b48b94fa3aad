// Which rule decides a destination, for the resolver (names) and for building the nftables sets
// (addresses). Pure. Precedence: denyOut > allowOut > egress; the always-blocked set is the
// firewall's and is checked before any of this.
import { isIP } from "node:net";
import type { EgressPolicy } from "./schemas";

export type SplitEntries = { v4: string[]; v6: string[]; domains: string[]; wildcards: string[] };

/** Entries by kind: IPv4 addresses and ranges, IPv6 ones, exact domains, and `*.` suffixes (without the `*.`). */
export function splitEntries(entries: readonly string[]): SplitEntries {
  const out: SplitEntries = { v4: [], v6: [], domains: [], wildcards: [] };
  for (const e of entries) {
    const host = e.split("/")[0];
    const family = isIP(host);
    if (family === 4) out.v4.push(e);
    else if (family === 6) out.v6.push(e);
    else if (e.startsWith("*.")) out.wildcards.push(e.slice(2));
    else out.domains.push(e);
  }
  return out;
}

/** `example.com` names only itself; `*.example.com` names every name below it (not example.com itself). */
export function domainMatches(name: string, entries: readonly string[]): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const { domains, wildcards } = splitEntries(entries);
  return domains.includes(n) || wildcards.some((w) => n.endsWith(`.${w}`));
}

export type NameVerdict = "deny" | "allow" | "default";

/** What the policy says of a DNS name: denied by denyOut, allowed by allowOut, or neither. */
export function nameVerdict(policy: Pick<EgressPolicy, "allowOut" | "denyOut">, name: string): NameVerdict {
  if (domainMatches(name, policy.denyOut)) return "deny";
  if (domainMatches(name, policy.allowOut)) return "allow";
  return "default";
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Whether an IPv4 address is in any of the IPv4 entries (addresses or CIDRs). */
export function ipv4InEntries(ip: string, entries: readonly string[]): boolean {
  if (isIP(ip) !== 4) return false;
  const addr = ipv4ToInt(ip);
  return splitEntries(entries).v4.some((e) => {
    const [base, bits = "32"] = e.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4ToInt(base) / size) * size;
    return addr >= start && addr < start + size;
  });
}

/** The first entry naming this domain (`a.example.com` or `*.example.com`), or null. */
export function matchingDomainEntry(name: string, entries: readonly string[]): string | null {
  const n = name.toLowerCase().replace(/\.$/, "");
  const { domains, wildcards } = splitEntries(entries);
  if (domains.includes(n)) return n;
  const w = wildcards.find((d) => n.endsWith(`.${d}`));
  return w ? `*.${w}` : null;
}

/** The first IPv4 address or range entry holding this address, or null. */
export function matchingIpEntry(ip: string, entries: readonly string[]): string | null {
  return splitEntries(entries).v4.find((e) => ipv4InEntries(ip, [e])) ?? null;
}

/**
 * Whether names in a connection's first bytes (TLS SNI, HTTP Host) can change what the policy
 * decides: a denied domain, or, with egress "deny", an allowed one (whose learned addresses must
 * not carry other names). Otherwise the address rules decide alone and nothing is inspected.
 */
export function needsNameInspection(policy: EgressPolicy): boolean {
  const deny = splitEntries(policy.denyOut);
  const allow = splitEntries(policy.allowOut);
  return deny.domains.length + deny.wildcards.length > 0 || (policy.egress === "deny" && allow.domains.length + allow.wildcards.length > 0);
}
