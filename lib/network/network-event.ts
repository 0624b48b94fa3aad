// What the egress flight recorder records of a sandbox: a DNS lookup (the resolver's verdict) or an
// outbound connection attempt (the firewall's, read from NFLOG), with the rule that decided it.
import type { ConnectionRule } from "./nft-ruleset";

export type NetworkVerdict = "allowed" | "denied";

export type NetworkEventRecord = {
  sessionId: string;
  atMs: number;
  kind: "dns" | "connection";
  verdict: NetworkVerdict;
  rule: ConnectionRule;
  /** The policy entry that matched (deny_out, allow_out): a CIDR, an address, a domain or a wildcard. */
  entry: string | null;
  /**
   * dns: the name asked for, its record type (A, AAAA, …), and the addresses answered. A connection
   * decided on the name in its first bytes: that name, and how it was read ("SNI" or "Host").
   */
  name?: string | null;
  queryType?: string | null;
  answers?: string[];
  /** connection: where to. */
  destination?: string | null;
  port?: number | null;
  protocol?: string | null;
};

/** One reading of a sandbox's egress counters (cumulative bytes since the pair was made). */
export type CounterReading = { sessionId: string; meterId: string; bytesOut: bigint; bytesIn: bigint };

/** A stretch of a session's events the flight recorder's rate limit left out. */
export type DroppedRow = { sessionId: string; atMs: number; count: number };
