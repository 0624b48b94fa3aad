// What a sandbox's policy says of a web connection by the name in its first bytes (TLS SNI, HTTP
// Host), and the per-connection holding of queued packets until that name can be read. Pure: the
// clock is given, and verdicts are returned, never sent (name-inspector.ts does the I/O).
import { readFirstBytesName } from "./first-bytes";
import type { ConnectionRule } from "./nft-ruleset";
import { matchingDomainEntry, matchingIpEntry, needsNameInspection } from "./policy-match";
import type { EgressPolicy } from "./schemas";

export type NameDecision = { verdict: "allowed" | "denied"; rule: ConnectionRule; entry: string | null };

/**
 * A name that denyOut names is denied, one allowOut names allowed; neither (or a name that could
 * not be read in time, `name` null) follows egress, except that with egress "deny" a destination an
 * allowOut address or range names explicitly is allowed. So an allowed domain's learned address
 * (a CDN's) does not carry another name (domain fronting by SNI or Host).
 */
export function decideByName(policy: EgressPolicy, name: string | null, destination: string): NameDecision {
  if (name) {
    const denied = matchingDomainEntry(name, policy.denyOut);
    if (denied) return { verdict: "denied", rule: "deny_out", entry: denied };
    const allowed = matchingDomainEntry(name, policy.allowOut);
    if (allowed) return { verdict: "allowed", rule: "allow_out", entry: allowed };
  }
  if (policy.egress === "allow") return { verdict: "allowed", rule: "egress", entry: null };
  const byAddress = matchingIpEntry(destination, policy.allowOut);
  return byAddress ? { verdict: "allowed", rule: "allow_out", entry: byAddress } : { verdict: "denied", rule: "egress", entry: null };
}

/** A TLS or HTTP start whose name was not read within HOLD_LIMITS: refused, but to an explicit allowOut address or range. */
export function undecidedName(policy: EgressPolicy, destination: string): NameDecision {
  const byAddress = matchingIpEntry(destination, policy.allowOut);
  if (byAddress) return { verdict: "allowed", rule: "allow_out", entry: byAddress };
  return { verdict: "denied", rule: policy.egress === "deny" ? "egress" : "deny_out", entry: null };
}

/** Bounds on holding a connection's first bytes: past any of them it is decided with what was read. */
export const HOLD_LIMITS = { bytes: 16_384, packets: 16, ms: 2_000 };
const MAX_FLOWS = 4_096;
const DECIDED_KEEP_MS = 30_000;

export type QueuedPacket = { id: number; src: string; sport: number; dst: string; dport: number; seq: number; payload: Uint8Array };
export type PacketVerdict = { id: number; verdict: "allowed" | "denied" };
/** A decision made on a name (or on a name that did not come in time), for the flight recorder. */
export type NameInspectionEvent = NameDecision & { src: string; dst: string; dport: number; name: string | null; via: "sni" | "host" | null };

type Flow = { src: string; dst: string; dport: number; segments: Map<number, Uint8Array>; base: number; baseKnown: boolean; ids: number[]; firstMs: number; decided: "allowed" | "denied" | null; decidedMs: number };

export function createFlowInspector(opts: { policyOf: (src: string) => EgressPolicy | null; onDecision: (e: NameInspectionEvent) => void }) {
  const flows = new Map<string, Flow>();
  const keyOf = (p: { src: string; sport: number; dst: string; dport: number }) => `${p.src}:${p.sport}>${p.dst}:${p.dport}`;

  /** The bytes of the segments in sequence order, up to the first gap. */
  function assemble(f: Flow): Uint8Array {
    const segs = [...f.segments].map(([seq, data]) => ({ rel: (seq - f.base) | 0, data })).sort((a, b) => a.rel - b.rel);
    const out: number[] = [];
    let next = f.baseKnown ? 0 : segs[0]?.rel ?? 0;
    for (const s of segs) {
      if (s.rel > next) break; // a gap: what follows is not readable yet
      const skip = next - s.rel;
      for (let i = skip; i < s.data.length && out.length < HOLD_LIMITS.bytes; i++) out.push(s.data[i]);
      next = Math.max(next, s.rel + s.data.length);
    }
    return Uint8Array.from(out);
  }

  function settle(key: string, f: Flow, verdict: "allowed" | "denied", nowMs: number): PacketVerdict[] {
    f.decided = verdict;
    f.decidedMs = nowMs;
    f.segments.clear();
    const ids = f.ids;
    f.ids = [];
    flows.set(key, f);
    return ids.map((id) => ({ id, verdict }));
  }

  function evaluate(key: string, f: Flow, p: { src: string; dst: string; dport: number }, nowMs: number, force: boolean): PacketVerdict[] {
    const policy = opts.policyOf(p.src);
    if (!policy || !needsNameInspection(policy)) return settle(key, f, "allowed", nowMs); // the policy changed: addresses decide
    const bytes = assemble(f);
    const read = readFirstBytesName(bytes);
    const record = (d: NameDecision, name: string | null, via: "sni" | "host" | null) => {
      opts.onDecision({ ...d, src: p.src, dst: p.dst, dport: p.dport, name, via });
      return settle(key, f, d.verdict, nowMs);
    };
    if (read.kind === "name") return record(decideByName(policy, read.name, p.dst), read.name, read.via);
    if (read.kind === "none") return settle(key, f, "allowed", nowMs); // no name on this connection: the address rules decided
    const limit = force || bytes.length >= HOLD_LIMITS.bytes || f.ids.length >= HOLD_LIMITS.packets || nowMs - f.firstMs >= HOLD_LIMITS.ms;
    if (!limit) return [];
    // TLS or HTTP whose name did not come within the bounds (padding it out would otherwise slip a
    // denied name past): refused, unless to an address allowOut names explicitly.
    if (read.protocol !== "unknown") return record(undecidedName(policy, p.dst), null, read.protocol === "tls" ? "sni" : "host");
    return settle(key, f, "allowed", nowMs);
  }

  function expire(nowMs: number): PacketVerdict[] {
    const out: PacketVerdict[] = [];
    for (const [key, f] of flows) {
      if (f.decided) {
        if (nowMs - f.decidedMs > DECIDED_KEEP_MS) flows.delete(key);
      } else if (!f.ids.length) {
        if (nowMs - f.firstMs > DECIDED_KEEP_MS) flows.delete(key); // a start with no payload yet: nothing held
      } else if (nowMs - f.firstMs >= HOLD_LIMITS.ms) {
        out.push(...evaluate(key, f, f, nowMs, true));
      }
    }
    return out;
  }

  return {
    /**
     * The handshake's last ACK (no payload; the reader accepted it): where the client's bytes start,
     * so a segment that arrives before an earlier one is held rather than read from its middle.
     */
    start(p: { src: string; sport: number; dst: string; dport: number; seq: number }, nowMs: number): void {
      const key = keyOf(p);
      if (flows.has(key) || flows.size >= MAX_FLOWS) return;
      flows.set(key, { src: p.src, dst: p.dst, dport: p.dport, segments: new Map(), base: p.seq, baseKnown: true, ids: [], firstMs: nowMs, decided: null, decidedMs: 0 });
    },
    /** A queued packet: the verdicts that can be given now (this packet's and those held with it), or none yet. */
    packet(p: QueuedPacket, nowMs: number): PacketVerdict[] {
      const key = keyOf(p);
      let f = flows.get(key);
      if (f?.decided) return [{ id: p.id, verdict: f.decided }]; // queued before the connection's mark took effect
      if (!f) {
        const policy = opts.policyOf(p.src);
        if (!policy || !needsNameInspection(policy)) return [{ id: p.id, verdict: "allowed" }];
        if (flows.size >= MAX_FLOWS) {
          const out = expire(nowMs);
          if (flows.size >= MAX_FLOWS) return [...out, { id: p.id, verdict: decideByName(policy, null, p.dst).verdict }];
        }
        f = { src: p.src, dst: p.dst, dport: p.dport, segments: new Map(), base: p.seq, baseKnown: false, ids: [], firstMs: nowMs, decided: null, decidedMs: 0 };
        flows.set(key, f);
      }
      if (!f.ids.length) f.firstMs = nowMs;
      f.ids.push(p.id);
      if (!f.segments.has(p.seq)) f.segments.set(p.seq, p.payload);
      return evaluate(key, f, p, nowMs, false);
    },
    /** Called every few hundred ms: connections held past the time bound are decided. */
    tick: expire,
    /** The reader restarted: the kernel dropped what it held, and retransmits start afresh. */
    reset: () => flows.clear(),
    size: () => flows.size,
  };
}
