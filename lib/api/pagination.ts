// Cursor pagination: items ordered by id (time-sortable), newest first; the cursor is the last id.
import { z } from "zod";

export const MAX_PAGE_SIZE = 100;

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
    cursor: z.string().regex(/^[a-z]{3}_[0-9A-Z]{26}$/, "not a cursor from this API").optional(),
  })
  .strict();

export type PageQuery = z.infer<typeof pageQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** Prisma args for one page: fetch one extra row to know whether another page exists. */
export function pageArgs(page: PageQuery) {
  return {
    take: page.limit + 1,
    orderBy: { id: "desc" as const },
    ...(page.cursor ? { where: { id: { lt: page.cursor } } } : {}),
  };
}

export function toPage<T extends { id: string }, R>(rows: T[], page: PageQuery, map: (row: T) => R) {
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  return { data: items.map(map), nextCursor: hasMore ? items[items.length - 1].id : null };
}
