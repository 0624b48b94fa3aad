// Operator commands. Uses DATABASE_URL; else the embedded Postgres under DATA_DIR (that of a running
// `npm start`, or started for the duration of the command); else, when DATA_DIR holds no database,
// that of the one Burrow running on this host. It refuses rather than make a new, empty database.
// Each prints one JSON line.
//   npm run admin -- bootstrap --email E --password P --tenant SLUG   → {"tenant": "...", "apiKey": "bur_..."}
//   npm run admin -- set-plan --tenant SLUG --plan ID                   → {"tenant": "...", "plan": "pro"}
//   npm run admin -- set-quota --tenant SLUG [--max-running-sessions N] [--max-vcpu N] [--max-memory-mib N]
//                              [--max-snapshot-bytes N] [--max-lifetime-seconds N] | --clear
//   npm run admin -- runners                                            → [{..., "address": "http://…", "capabilities": {…}}]
//     (the runners with their internal addresses and every capability, which the API shows no tenant)
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { bootstrap, bootstrapSchema } from "../lib/admin/bootstrap";
import { adminSetPlan, adminSetQuota, setPlanArgsSchema, setQuotaArgsSchema } from "../lib/admin/tenant-plans";
import { disconnectDb } from "../lib/db/client";
import { openLocalDatabase } from "../lib/db/local-database";
import { applyMigrations } from "../lib/db/migrate";
import { chooseAdminDatabase, listRunningInstances } from "../lib/db/running-instances";
import { listRunners } from "../lib/runners/runner-registry";
import { env } from "../lib/env";

const USAGE = `usage: npm run admin -- bootstrap --email EMAIL --password PASSWORD --tenant SLUG
       npm run admin -- set-plan --tenant SLUG --plan PLAN_ID
       npm run admin -- set-quota --tenant SLUG [--max-running-sessions N] [--max-vcpu N] [--max-memory-mib N] [--max-snapshot-bytes N] [--max-lifetime-seconds N] | --clear
       npm run admin -- runners`;

const text = { type: "string" } as const;
const COMMANDS = {
  bootstrap: { options: { email: text, password: text, tenant: text }, schema: bootstrapSchema, run: bootstrap },
  "set-plan": { options: { tenant: text, plan: text }, schema: setPlanArgsSchema, run: adminSetPlan },
  "set-quota": {
    options: {
      tenant: text, "max-running-sessions": text, "max-vcpu": text, "max-memory-mib": text, "max-snapshot-bytes": text, "max-lifetime-seconds": text,
      clear: { type: "boolean" },
    },
    schema: setQuotaArgsSchema,
    run: adminSetQuota,
  },
  runners: { options: {}, schema: z.object({}).strict(), run: () => listRunners({ internal: true }) },
} as const;

function parseCommand(argv: string[]) {
  const [name, ...rest] = argv;
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) throw new Error(USAGE);
  const { values } = parseArgs({ args: rest, options: command.options, strict: true });
  const parsed = (command.schema as z.ZodType).safeParse(values);
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n${USAGE}`);
  return () => (command.run as (args: unknown) => Promise<unknown>)(parsed.data);
}

async function main() {
  const run = parseCommand(process.argv.slice(2));
  const choice = chooseAdminDatabase({ databaseUrl: env.DATABASE_URL, dataDir: path.resolve(env.DATA_DIR), running: listRunningInstances(env.BURROW_INSTANCES_DIR) });
  if (choice.kind === "refuse") throw new Error(choice.message);
  if (choice.kind === "dataDir" && choice.note) console.error(`[admin] ${choice.note}`);
  const database = await openLocalDatabase({ databaseUrl: env.DATABASE_URL, dataDir: choice.kind === "dataDir" ? choice.dataDir : path.resolve(env.DATA_DIR) });
  try {
    process.env.DATABASE_URL = database.url;
    await applyMigrations(database.url);
    console.log(JSON.stringify(await run()));
  } finally {
    await disconnectDb();
    await database.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
