// GET /api/v1/sessions/{id}/network/events: the session's flight recorder, newest first, with its
// egress and ingress so far. Through the tenant's handle: another tenant's session is 404.
import { notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import type { NetworkEventsQuery } from "./schemas";
import { NETWORK_EVENT_KINDS, NETWORK_RULES, NETWORK_VERDICTS } from "./schemas";

type Kind = (typeof NETWORK_EVENT_KINDS)[number];
type Verdict = (typeof NETWORK_VERDICTS)[number];
type Rule = (typeof NETWORK_RULES)[number];

export async function listNetworkEvents({ ctx, input }: { ctx: TenantContext; input: { sessionId: string; query: NetworkEventsQuery } }) {
  const { sessionId, query } = input;
  const session = await ctx.db.session.findFirst({ where: { id: sessionId }, select: { id: true } });
  if (!session) throw notFound("Session");
  const [rows, totals] = await Promise.all([
    ctx.db.sessionNetworkEvent.findMany({
      where: {
        sessionId,
        ...(query.verdict ? { verdict: query.verdict } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}),
      },
      orderBy: { id: "desc" },
      take: query.limit + 1,
    }),
    ctx.db.sessionNetworkHour.aggregate({ where: { sessionId }, _sum: { bytesOut: true, bytesIn: true } }),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    data: page.map((r) => ({
      id: String(r.id), at: r.at.toISOString(), kind: r.kind as Kind, verdict: r.verdict as Verdict | null, rule: r.rule as Rule | null, entry: r.entry,
      name: r.name, queryType: r.queryType, answers: r.answers, destination: r.destination, port: r.port, protocol: r.protocol, count: r.count,
    })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
    bytesOut: String(totals._sum.bytesOut ?? 0n),
    bytesIn: String(totals._sum.bytesIn ?? 0n),
  };
}
