import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, appendFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyMigrations, readMigrations } from "@/lib/db/migrate";
import { createScratchDatabase, withClient } from "./scratch-database";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function scratch() {
  const db = await createScratchDatabase("migrate");
  cleanups.push(db.drop);
  return db.url;
}

function copyOfMigrations() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-migrations-"));
  cpSync(path.resolve("prisma/migrations"), dir, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("migration runner", () => {
  it("applies every migration once and records it as Prisma Migrate does", async () => {
    const url = await scratch();
    const migrations = await readMigrations();
    const first = await applyMigrations(url);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const second = await applyMigrations(url);
    expect(second.applied).toEqual([]);
    const rows = await withClient(url, (c) => c.query(`SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`));
    expect(rows.rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, row] of rows.rows.entries()) {
      expect(row.checksum).toBe(migrations[i].checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
    }
  });

  it("is safe when several processes start at once", async () => {
    const url = await scratch();
    const results = await Promise.all(Array.from({ length: 4 }, () => applyMigrations(url)));
    const total = results.flatMap((r) => r.applied);
    expect(total).toEqual((await readMigrations()).map((m) => m.name));
  });

  it("rolls back a failing migration completely and refuses a changed applied one", async () => {
    const url = await scratch();
    const dir = copyOfMigrations();
    await applyMigrations(url, dir);
    mkdirSync(path.join(dir, "29991231000000_broken"));
    writeFileSync(path.join(dir, "29991231000000_broken", "migration.sql"), `CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;`);
    await expect(applyMigrations(url, dir)).rejects.toThrow(/29991231000000_broken failed/);
    const tables = await withClient(url, (c) => c.query(`SELECT to_regclass('public.half_done') AS t`));
    expect(tables.rows[0].t).toBeNull();
    rmSync(path.join(dir, "29991231000000_broken"), { recursive: true });

    const [firstName] = (await readMigrations(dir)).map((m) => m.name);
    appendFileSync(path.join(dir, firstName, "migration.sql"), "\n-- edited after the fact\n");
    await expect(applyMigrations(url, dir)).rejects.toThrow(/changed after it was applied/);
  });
});
