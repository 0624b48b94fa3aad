// The egress policy of a session: what its sandbox may reach beyond the always-blocked set.
// `network: "none"` (the default) keeps the sandbox on loopback only.
import { z } from "zod";

/** Entries per list: the nftables sets and the resolver's matching stay small and quick. */
export const MAX_POLICY_ENTRIES = 256;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A host name of two labels or more (`example.com`, `pkgs.test`), or `*.` before one (any name below it). */
export const DOMAIN_PATTERN = new RegExp(`^(\\*\\.)?(?:${LABEL}\\.)+${LABEL}$`);

const ipEntry = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/** A CIDR, an IP, a domain or a `*.domain` wildcard; domains are compared lower-cased without a final dot. */
export const policyEntrySchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((s) => s.toLowerCase().replace(/\.$/, ""))
  .refine((s) => ipEntry.safeParse(s).success || (DOMAIN_PATTERN.test(s) && !/^[\d.]+$/.test(s)), {
    message: "must be an IP address, a CIDR range (10.0.0.0/8), a domain (example.com) or a wildcard (*.example.com)",
  });

export const egressPolicySchema = z
  .object({
    egress: z.enum(["allow", "deny"]).describe("What happens to a destination no entry names: allow (the default) or deny"),
    allowOut: z.array(policyEntrySchema).max(MAX_POLICY_ENTRIES).default([]).describe("Reachable even when egress is deny (denyOut wins over it)"),
    denyOut: z.array(policyEntrySchema).max(MAX_POLICY_ENTRIES).default([]).describe("Never reachable; a denied domain's DNS answer is REFUSED"),
  })
  .strict();
export type EgressPolicy = z.infer<typeof egressPolicySchema>;

export const networkSchema = z
  .union([z.literal("none"), egressPolicySchema])
  .describe(
    "none (the default): loopback only. Else a network of its own behind the runner's NAT, with this egress policy. " +
      "Precedence: always blocked (other sandboxes, the runner host, metadata, link-local, the runner's networks) > denyOut > allowOut > egress.",
  );
export type SessionNetwork = z.infer<typeof networkSchema>;

// The egress flight recorder's API: GET /api/v1/sessions/{id}/network/events.
export const NETWORK_EVENT_KINDS = ["dns", "connection", "dropped"] as const;
export const NETWORK_VERDICTS = ["allowed", "denied"] as const;
export const NETWORK_RULES = ["always_blocked", "deny_out", "allow_out", "egress"] as const;

export const networkEventsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().regex(/^\d{1,18}$/, "not a cursor from this API").optional().describe("The nextCursor of the previous page"),
    verdict: z.enum(NETWORK_VERDICTS).optional().describe("Only allowed, or only denied, lookups and connections"),
    kind: z.enum(NETWORK_EVENT_KINDS).optional().describe("dns (lookups), connection (attempts), dropped (events the rate limit left out)"),
  })
  .strict();
export type NetworkEventsQuery = z.infer<typeof networkEventsQuerySchema>;

export const networkEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.enum(NETWORK_EVENT_KINDS),
  verdict: z.enum(NETWORK_VERDICTS).nullable().describe("null for dropped"),
  rule: z.enum(NETWORK_RULES).nullable()
    .describe("What decided: always_blocked (never reachable), deny_out or allow_out (the entry that matched is `entry`), egress (the policy's default); null for dropped"),
  entry: z.string().nullable(),
  name: z.string().nullable().describe("dns: the name asked for; connection: the name read from its first bytes (TLS SNI or HTTP Host) when it was decided on it"),
  queryType: z.string().nullable().describe("dns: the record type asked for (A, AAAA, HTTPS, …); connection decided on a name: how it was read, SNI or Host"),
  answers: z.array(z.string()).describe("dns: the addresses answered (empty when refused)"),
  destination: z.string().nullable(),
  port: z.number().int().nullable(),
  protocol: z.string().nullable(),
  count: z.number().int().describe("1; for dropped, how many events were left out from `at` on"),
});

export const networkEventPageSchema = z.object({
  data: z.array(networkEventSchema).describe("Newest first"),
  nextCursor: z.string().nullable(),
  bytesOut: z.string().describe("Bytes the session's sandbox sent out so far (its egress, metered as network_egress_gib), as of the runner's last counter reading"),
  bytesIn: z.string().describe("Bytes it received"),
});
