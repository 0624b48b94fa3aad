// A plain pg pool for the few lookups a long-lived worker makes on the hot path (the preview proxy's
// session and token reads on a cache miss). Through Prisma each such read compiles its query plan
// in the query compiler (~15 ms of CPU in a profile of the proxy, raw SQL included), and the
// process's every other request waits behind it; here it is one round trip. Everything else goes
// through db() (client.ts).
import pg from "pg";
import { databaseUrlOrThrow, env } from "../env";

const holder = globalThis as unknown as { burrowSqlPool?: pg.Pool };

export function sqlPool(): pg.Pool {
  if (!holder.burrowSqlPool) {
    holder.burrowSqlPool = new pg.Pool({
      connectionString: databaseUrlOrThrow(),
      max: Math.min(env.DATABASE_POOL_SIZE, 4),
      connectionTimeoutMillis: env.DATABASE_POOL_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that the server ends must not take the process down.
    holder.burrowSqlPool.on("error", () => {});
  }
  return holder.burrowSqlPool;
}

export async function closeSqlPool(): Promise<void> {
  const pool = holder.burrowSqlPool;
  holder.burrowSqlPool = undefined;
  await pool?.end();
}
