// A throw-away embedded Postgres for one bench run: a fresh temp DATA_DIR, migrated, removed again
// by stop(). bootstrapTenant() makes the user, tenant and API key the benchmarks call with.
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openLocalDatabase } from "../../lib/db/local-database";
import { applyMigrations } from "../../lib/db/migrate";

export type BenchDatabase = {
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
  /** Synchronous last resort on process exit: delete the data directory (Postgres stopped by then). */
  removeDataDir: () => void;
};

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "burrow-bench-"));
  let database: Awaited<ReturnType<typeof openLocalDatabase>>;
  try {
    // No databaseUrl: always the embedded server, never an outside DATABASE_URL.
    database = await openLocalDatabase({ dataDir, log: () => {} });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const stop = async () => {
    try {
      await database.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    await applyMigrations(database.url);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: database.url, dataDir, stop, removeDataDir: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export type BenchTenant = { tenant: string; apiKey: string };

/**
 * A user, tenant and all-scopes key through the real admin bootstrap. lib/db/client reads
 * DATABASE_URL when first used, so it is set before the domain is imported; the Prisma pool is
 * closed again afterwards so it does not linger in the load-generating process.
 */
export async function bootstrapTenant(databaseUrl: string, tenant = "bench"): Promise<BenchTenant> {
  process.env.DATABASE_URL = databaseUrl;
  const { bootstrap } = await import("../../lib/admin/bootstrap");
  const { disconnectDb } = await import("../../lib/db/client");
  try {
    return await bootstrap({ email: `${tenant}@bench.invalid`, password: "bench-password-0123", tenant });
  } finally {
    await disconnectDb();
  }
}
