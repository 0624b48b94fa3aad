import { describe, expect, it } from "vitest";
import { checkLayers, rawSqlProblems, tenantTables } from "./check-layers";

describe("code layout", () => {
  it("keeps the layering rules (lib/ below app/, no DB access from app/, env in one place, no cycles, raw SQL only where reviewed)", () => {
    expect(checkLayers()).toEqual([]);
  });
});

describe("raw SQL on tenant tables", () => {
  const schema = `
model Tenant {
  id String @id
  @@map("tenants")
}

model Runner {
  id String @id
  @@map("runners")
}

model Session {
  id       String @id
  tenantId String @map("tenant_id")
  @@map("sessions")
}
`;
  const tables = tenantTables(schema);
  const file = (path: string, text: string) => ({ path, text });

  it("takes every model with a tenantId, and the tenants, as tenant tables", () => {
    expect(tables).toEqual(["tenants", "sessions"]);
  });

  it("fails an unlisted file that runs raw SQL on a tenant table, with any of the raw APIs", () => {
    for (const call of ["db().$queryRaw`SELECT id FROM sessions`", "tx.$executeRaw`UPDATE sessions SET x = 1`", 'db().$queryRawUnsafe("SELECT * FROM  sessions")',
      'db().$executeRawUnsafe(`DELETE FROM "sessions"`)', 'client.query("INSERT INTO sessions VALUES ($1)", [id])', "client.query<Row>(`SELECT 1 FROM tenants t JOIN sessions s ON true`)"]) {
      expect(rawSqlProblems([file("lib/x/y.ts", call)], tables, {})).toEqual([expect.stringContaining("lib/x/y.ts: raw SQL on tenant table")]);
    }
  });

  it("passes a listed file, raw SQL on other tables, a table named only in a comment, and tests", () => {
    const onSessions = "db().$queryRaw`SELECT id FROM sessions WHERE tenant_id = ${t}`";
    expect(rawSqlProblems([file("lib/x/y.ts", onSessions)], tables, { "lib/x/y.ts": "reviewed" })).toEqual([]);
    expect(rawSqlProblems([file("lib/x/y.ts", "db().$queryRaw`SELECT id FROM runners`")], tables, {})).toEqual([]);
    expect(rawSqlProblems([file("lib/x/y.ts", "// updates sessions from runners\ndb().$queryRaw`SELECT 1`")], tables, {})).toEqual([]);
    expect(rawSqlProblems([file("lib/x/y.test.ts", onSessions)], tables, {})).toEqual([]);
  });

  it("fails a listed file that no longer needs to be listed", () => {
    expect(rawSqlProblems([file("lib/x/y.ts", "ctx.db.session.findMany()")], tables, { "lib/x/y.ts": "reviewed" })).toEqual([
      expect.stringContaining("lib/x/y.ts no longer runs raw SQL"),
    ]);
  });
});
