// The runner's session query (sessionsOfRunner, lib/runners/runner-registry.ts) with 100k finished
// sessions in the table: its plan and time without and with the partial index
// sessions_runner_live_idx (migration 20261207000000_runner_live_sessions). A throw-away embedded
// Postgres; the SQL is what Prisma sends, captured from its query log, run with the same values.
// `npx tsx bench/runner-sessions-plan.ts` (BENCH_PLAN_FINISHED=100000, BENCH_PLAN_LIVE=250).
import pg from "pg";
import { bootstrapTenant, startBenchDatabase } from "./lib/database";
import { knob } from "./lib/knob";

const finished = knob("BENCH_PLAN_FINISHED", 100_000, 1_000, 1_000_000, { integer: true });
const live = knob("BENCH_PLAN_LIVE", 250, 1, 5_000, { integer: true });

async function main() {
  const database = await startBenchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  try {
    await bootstrapTenant(database.url);
    await client.connect();
    const { rows: [tenant] } = await client.query(`SELECT id FROM tenants LIMIT 1`);
    const runnerId = "run_plan";
    await client.query(`INSERT INTO runners (id, name, address, backend, vcpu, memory_mib, gpus, labels, capabilities, status, epoch, last_heartbeat_at, started_at)
      VALUES ($1, 'plan', 'http://127.0.0.1:9', 'test', 1000, 1000000, 0, '{}', '{}', 'online', 1, now(), now())`, [runnerId]);
    // One session through SQL with the columns' defaults, then copies of it: `finished` terminated, `live` running.
    await client.query(`INSERT INTO sessions (id, tenant_id, template_name, rootfs, runner_id, vcpu, memory_mib, disk_mib, env, labels, metadata, max_lifetime_seconds)
      VALUES ('ses_seed', $1, 'base', '{"kind":"host"}', $2, 1, 64, 1024, '{}', '{}', '{}', 3600)`, [tenant.id, runnerId]);
    const copies = (n: number, prefix: string, state: string) => client.query(`INSERT INTO sessions
      SELECT (jsonb_populate_record(NULL::sessions, to_jsonb(s) || jsonb_build_object('id', $1 || lpad(g::text, 8, '0'), 'state', $2::text))).*
      FROM sessions s, generate_series(1, $3::int) g WHERE s.id = 'ses_seed'`, [prefix, state, n]);
    await copies(finished, "ses_done", "terminated");
    await copies(live, "ses_live", "running");
    await client.query(`DELETE FROM sessions WHERE id = 'ses_seed'`);
    await client.query(`VACUUM ANALYZE sessions`);

    // The statement as Prisma sends it.
    process.env.DATABASE_URL = database.url;
    const { db, disconnectDb } = await import("../lib/db/client");
    const { sessionsOfRunner } = await import("../lib/runners/runner-registry");
    const sent: { query: string; params: unknown[] }[] = [];
    const probe = db() as unknown as { $on?: (e: string, f: (ev: { query: string; params: string }) => void) => void };
    probe.$on?.("query", (ev) => sent.push({ query: ev.query, params: JSON.parse(ev.params) }));
    const got = await sessionsOfRunner(runnerId, 1);
    await disconnectDb();
    console.log(`runner's sessions: ${got.length} of ${finished + live} rows (${finished} terminated)`);
    const statement = sent.find((s) => /FROM "public"\."sessions"/.test(s.query));

    // Prisma binds the state as a parameter cast to the enum (its query log is not available with
    // the pg adapter): the same form here, so the plan is that of the statement the runner sends.
    const explain = async (label: string) => {
      const sql = statement?.query ?? `SELECT * FROM sessions WHERE runner_id = $1 AND state <> CAST($2::text AS "SessionState") ORDER BY id LIMIT $3`;
      const params = statement?.params ?? [runnerId, "terminated", 10_000];
      const times: number[] = [];
      let plan = "";
      for (let i = 0; i < 7; i++) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
        times.push(Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1] ?? NaN));
      }
      times.sort((a, b) => a - b);
      console.log(`\n== ${label}: execution time median ${times[3]} ms (7 runs, min ${times[0]}, max ${times[6]})\n${plan}`);
    };
    await client.query(`DROP INDEX sessions_runner_live_idx`);
    await explain("before (no partial index)");
    await client.query(`CREATE INDEX sessions_runner_live_idx ON sessions (runner_id, id) WHERE state <> 'terminated'`);
    await client.query(`ANALYZE sessions`);
    await explain("after (sessions_runner_live_idx)");
  } finally {
    await client.end().catch(() => {});
    await database.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
