// The Prisma client (Prisma 7 + @prisma/adapter-pg, no engine binary). Created on first use so that
// importing the domain (e.g. during `next build`) needs no database.
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrlOrThrow } from "../env";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;

const holder = globalThis as unknown as { burrowDb?: PrismaClient };

export function db(): PrismaClient {
  if (!holder.burrowDb) {
    const adapter = new PrismaPg({
      connectionString: databaseUrlOrThrow(),
      max: 20,
      // Fail fast while the database is down, so callers get a 503 rather than a hung request.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
    });
    holder.burrowDb = new PrismaClient({ adapter });
  }
  return holder.burrowDb;
}

export async function disconnectDb(): Promise<void> {
  await holder.burrowDb?.$disconnect();
  holder.burrowDb = undefined;
}
