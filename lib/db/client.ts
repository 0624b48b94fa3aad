// The Prisma client (Prisma 7 + @prisma/adapter-pg, no engine binary). Created on first use so that
// importing the domain (e.g. during `next build`) needs no database.
//
// Under a burst the pool is the queue: a query waits up to DATABASE_POOL_TIMEOUT_MS for a
// connection, and an interactive transaction waits as long to start (Prisma's default of 2 s was
// shorter than the pool's own wait, so a burst of creates died as P2028 "Unable to start a
// transaction in the given time"). Either timeout is answered 503 + Retry-After (lib/api/errors.ts),
// and session creates are admitted before they reach the pool (lib/sessions/create-session.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrlOrThrow, env } from "../env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;

const holder = globalThis as unknown as { burrowDb?: PrismaClient };

export function db(): PrismaClient {
  if (!holder.burrowDb) {
    const adapter = new PrismaPg({
      connectionString: databaseUrlOrThrow(),
      max: env.DATABASE_POOL_SIZE,
      // Also bounds a connect while the database is down, so callers get a 503 rather than a hung request.
      connectionTimeoutMillis: env.DATABASE_POOL_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
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
