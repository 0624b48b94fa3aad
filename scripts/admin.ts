// Operator commands. `npm run admin -- bootstrap --email E --password P --tenant SLUG`
// prints {"tenant": "...", "apiKey": "bur_..."}. Uses DATABASE_URL, the embedded Postgres of a
// running `npm start`, or starts the embedded Postgres for the duration of the command.
import path from "node:path";
import { parseArgs } from "node:util";
import { bootstrap, bootstrapSchema } from "../lib/admin/bootstrap";
import { disconnectDb } from "../lib/db/client";
import { openLocalDatabase } from "../lib/db/local-database";
import { applyMigrations } from "../lib/db/migrate";
import { env } from "../lib/env";

const USAGE = "usage: npm run admin -- bootstrap --email EMAIL --password PASSWORD --tenant SLUG";

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "bootstrap") throw new Error(USAGE);
  const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, password: { type: "string" }, tenant: { type: "string" } } });
  const parsed = bootstrapSchema.safeParse(values);
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n${USAGE}`);
  const database = await openLocalDatabase({ databaseUrl: env.DATABASE_URL, dataDir: path.resolve(env.DATA_DIR) });
  try {
    process.env.DATABASE_URL = database.url;
    await applyMigrations(database.url);
    console.log(JSON.stringify(await bootstrap(parsed.data)));
  } finally {
    await disconnectDb();
    await database.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
