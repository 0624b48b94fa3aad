// Fails when prisma/schema.prisma and prisma/migrations disagree: the database the migrations
// build must have the same tables, columns, types, defaults, indexes, constraints and enums as the
// one Prisma derives from the schema.
import { describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate";
import { diffSchemas } from "@/scripts/prisma-diff";
import { createScratchDatabase, withClient } from "./scratch-database";

const CATALOG_QUERIES = {
  columns: `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
            ORDER BY table_name, column_name`,
  indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
            ORDER BY tablename, indexname`,
  constraints: `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`,
  enums: `SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY 1, 3`,
};

/**
 * Indexes that exist only in migrations because schema.prisma cannot express them (partial
 * indexes): left out of the comparison, and checked to exist with exactly this definition.
 */
const SQL_ONLY_INDEXES: Record<string, string> = {
  sessions_runner_live_idx: "CREATE INDEX sessions_runner_live_idx ON public.sessions USING btree (runner_id, id) WHERE (state <> 'terminated'::\"SessionState\")",
};

async function catalog(url: string) {
  return withClient(url, async (c) => {
    const out: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(CATALOG_QUERIES)) out[name] = (await c.query(sql)).rows;
    return out;
  });
}

describe("schema.prisma and migrations", () => {
  it("describe the same database", async () => {
    const fromMigrations = await createScratchDatabase("drift_m");
    const fromSchema = await createScratchDatabase("drift_s");
    try {
      await applyMigrations(fromMigrations.url);
      const sql = diffSchemas({ to: "prisma/schema.prisma", databaseUrl: fromSchema.url });
      await withClient(fromSchema.url, (c) => c.query(sql));
      const expected = await catalog(fromSchema.url);
      expect(expected.columns.length).toBeGreaterThan(10);
      const migrated = await catalog(fromMigrations.url);
      const sqlOnly = (migrated.indexes as { indexname: string; indexdef: string }[]).filter((i) => i.indexname in SQL_ONLY_INDEXES);
      expect(Object.fromEntries(sqlOnly.map((i) => [i.indexname, i.indexdef]))).toEqual(SQL_ONLY_INDEXES);
      migrated.indexes = migrated.indexes.filter((i) => !((i as { indexname: string }).indexname in SQL_ONLY_INDEXES));
      expect(migrated).toEqual(expected);
    } finally {
      await fromMigrations.drop();
      await fromSchema.drop();
    }
  });
});
