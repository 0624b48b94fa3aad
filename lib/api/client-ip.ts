// Which address a request came from, for the audit log and sign-in throttling.
//
// A Next.js route handler never sees the socket. `next start` copies the socket address into
// X-Forwarded-For only when the request has none, so a caller that sends its own header would
// otherwise name any address it likes. Therefore the web process stamps the socket address into
// PEER_ADDRESS_HEADER before Next sees a request (lib/api/peer-address.ts, installed by
// instrumentation.ts), replacing whatever a caller sent under that name. X-Forwarded-For counts
// only as far as it was appended by proxies listed in TRUSTED_PROXIES: the chain is walked from
// the right (the peer first), skipping trusted proxies; the first untrusted address is the client.
import { BlockList, isIP } from "node:net";
import { env } from "../env";

export const PEER_ADDRESS_HEADER = "x-burrow-peer-address";

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) is 10.0.0.1; anything else stays as it is. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed;
}

/** A matcher for "10.0.0.1, 10.1.0.0/16, fd00::/8"; throws on an entry that is not an IP or CIDR. */
export function parseTrustedProxies(list: string): BlockList {
  const trusted = new BlockList();
  for (const entry of list.split(",").map((e) => e.trim()).filter(Boolean)) {
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max || (prefix !== undefined && !/^\d+$/.test(prefix))) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    }
    trusted.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return trusted;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the peer unless it is a trusted proxy, then each X-Forwarded-For entry
 * from the right until one is not a trusted proxy. Null when the peer is unknown (no socket, e.g.
 * a handler called directly), because X-Forwarded-For alone is whatever the caller wrote.
 */
export function resolveClientIp({ peer, forwardedFor, trusted }: { peer: string | null; forwardedFor: string | null; trusted: BlockList }): string | null {
  if (!peer || !isIP(normalizeAddress(peer))) return null;
  let client = normalizeAddress(peer);
  const chain = (forwardedFor ?? "").split(",").map(normalizeAddress).filter(Boolean);
  for (let i = chain.length - 1; i >= 0 && isTrusted(trusted, client); i--) {
    // A proxy we trust wrote this entry; garbage in it means we cannot go further left.
    if (!isIP(chain[i])) break;
    client = chain[i];
  }
  return client;
}

let trustedFromEnv: BlockList | null = null;

/** The caller's address (see the top of this file). */
export function clientIp(req: Request): string | null {
  trustedFromEnv ??= parseTrustedProxies(env.TRUSTED_PROXIES);
  return resolveClientIp({ peer: req.headers.get(PEER_ADDRESS_HEADER), forwardedFor: req.headers.get("x-forwarded-for"), trusted: trustedFromEnv });
}
