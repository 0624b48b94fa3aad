// The Prisma client (Prisma 7 + @prisma/adapter-pg, no engine binary). Created on first use so that
// importing the domain (e.g. during `next build`) needs no database.
//
// Under a burst the pool is the queue: a query waits up to DATABASE_POOL_TIMEOUT_MS for a
// connection, and an interactive transaction waits as long to start (Prisma's default of 2 s was
// shorter than the pool's own wait, so a burst of creates died as P2028 "Unable to start a
// transaction in the given time"). Either timeout is answered 503 + Retry-After (lib/api/errors.ts),
// and session creates are admitted before they reach the pool (lib/sessions/create-session.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { databaseUrlOrThrow, env } from "../env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;

const holder = globalThis as unknown as { burrowDb?: PrismaClient; burrowStatements?: number };

/**
 * Statements this process sent through the Prisma pool (a transaction's BEGIN and COMMIT
 * included): how the runner's idle cost in queries is measured (GET /internal/stats).
 */
export const statementsSent = (): number => holder.burrowStatements ?? 0;

export function db(): PrismaClient {
  if (!holder.burrowDb) {
    const pool = new pg.Pool({
      connectionString: databaseUrlOrThrow(),
      max: env.DATABASE_POOL_SIZE,
      // Also bounds a connect while the database is down, so callers get a 503 rather than a hung request.
      connectionTimeoutMillis: env.DATABASE_POOL_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        holder.burrowStatements = (holder.burrowStatements ?? 0) + 1;
        return query(...args);
      };
    });
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    holder.burrowDb = new PrismaClient({
      adapter,
      transactionOptions: { maxWait: env.DATABASE_POOL_TIMEOUT_MS, timeout: env.DATABASE_TRANSACTION_TIMEOUT_MS },
    });
  }
  return holder.burrowDb;
}

export async function disconnectDb(): Promise<void> {
  await holder.burrowDb?.$disconnect();
  holder.burrowDb = undefined;
}
