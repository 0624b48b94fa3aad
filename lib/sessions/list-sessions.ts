// GET /sessions: filter, search and sort in one SQL query that picks the page's ids, then the
// rows through the tenant-scoped client and their cost in one aggregate query for the whole page.
import type { TenantContext } from "../auth/context";
import { getTenantPlan } from "../billing/price-book";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { ListSessionsQuery } from "./schemas";
import { toSession } from "./schemas";

/** `q` as a LIKE pattern that matches it anywhere, its own % _ and \ taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type PriceList = { meters: string[]; prices: string[] };

// Usage × the plan's unit price per meter (no included amounts: those belong to the tenant, not
// to one session), summed over a session's usage_hours rows (its snapshots' rows carry its id).
const costsOf = (tenantId: string, p: PriceList, ids: string[] | null) => Prisma.sql`
  SELECT u.session_id, ROUND(SUM(u.quantity * p.unit_price), 6) AS usd
  FROM usage_hours u JOIN unnest(${p.meters}::text[], ${p.prices}::numeric[]) AS p(meter, unit_price) ON p.meter = u.meter
  WHERE u.tenant_id = ${tenantId} AND u.session_id IS NOT NULL ${ids ? Prisma.sql`AND u.session_id = ANY(${ids}::text[])` : Prisma.empty}
  GROUP BY u.session_id`;

function whereClause(tenantId: string, input: ListSessionsQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`s.tenant_id = ${tenantId}`];
  if (input.state) parts.push(Prisma.sql`s.state::text = ${input.state}`);
  if (input.template) parts.push(Prisma.sql`(s.template_name = ${input.template} OR s.template_id = ${input.template})`);
  if (input.label) {
    const [key, ...rest] = input.label.split("=");
    parts.push(Prisma.sql`s.labels->>${key} = ${rest.join("=")}`);
  }
  if (input.q) {
    const like = containsPattern(input.q);
    parts.push(Prisma.sql`(s.id ILIKE ${like} OR s.template_name ILIKE ${like}
      OR EXISTS (SELECT 1 FROM jsonb_each_text(s.labels) l WHERE l.key ILIKE ${like} OR l.value ILIKE ${like} OR l.key || '=' || l.value ILIKE ${like}))`);
  }
  const desc = input.order === "desc";
  if (input.sort === "created" && input.cursor && !/^\d+$/.test(input.cursor)) {
    parts.push(desc ? Prisma.sql`s.id < ${input.cursor}` : Prisma.sql`s.id > ${input.cursor}`);
  }
  return Prisma.join(parts, " AND ");
}

function orderClause(input: ListSessionsQuery): Prisma.Sql {
  const dir = input.order === "desc" ? Prisma.raw("DESC") : Prisma.raw("ASC");
  // The id breaks ties in the same direction, so equal keys keep one order from page to page.
  switch (input.sort) {
    case "created": return Prisma.sql`s.id ${dir}`;
    case "state": return Prisma.sql`s.state ${dir}, s.id ${dir}`;
    case "duration": return Prisma.sql`(COALESCE(s.terminated_at, now()) - s.created_at) ${dir}, s.id ${dir}`;
    case "cost": return Prisma.sql`COALESCE(c.usd, 0) ${dir}, s.id ${dir}`;
  }
}

export async function listSessions({ ctx, input }: { ctx: TenantContext; input: ListSessionsQuery }) {
  const plan = await getTenantPlan(ctx.tenantId);
  const prices: PriceList = { meters: plan.prices.map((p) => p.meter), prices: plan.prices.map((p) => p.unitPriceUsd) };
  const offset = input.sort !== "created" && input.cursor && /^\d+$/.test(input.cursor) ? Number(input.cursor) : 0;
  // Raw SQL (ordering by computed keys): tenant_id is in every WHERE.
  const picked = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM sessions s
    ${input.sort === "cost" ? Prisma.sql`LEFT JOIN (${costsOf(ctx.tenantId, prices, null)}) c ON c.session_id = s.id` : Prisma.empty}
    WHERE ${whereClause(ctx.tenantId, input)}
    ORDER BY ${orderClause(input)}
    LIMIT ${input.limit + 1} OFFSET ${offset}`;
  const hasMore = picked.length > input.limit;
  const ids = picked.slice(0, input.limit).map((r) => r.id);
  if (ids.length === 0) return { data: [], nextCursor: null };

  const [rows, costs] = await Promise.all([
    ctx.db.session.findMany({ where: { id: { in: ids } } }),
    db().$queryRaw<{ session_id: string; usd: string }[]>`SELECT session_id, usd::text FROM (${costsOf(ctx.tenantId, prices, ids)}) c`,
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const costById = new Map(costs.map((c) => [c.session_id, c.usd]));
  const data = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ ...toSession(row), costUsd: trimDecimal(costById.get(id) ?? "0") }] : [];
  });
  const nextCursor = !hasMore ? null : input.sort === "created" ? ids[ids.length - 1] : String(offset + ids.length);
  return { data, nextCursor };
}

/** "0.001200" → "0.0012", "3.000000" → "3". */
function trimDecimal(value: string): string {
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}
