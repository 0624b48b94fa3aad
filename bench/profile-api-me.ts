// Profiles the production server under the api-me load: starts a fresh embedded Postgres and
// `next start` with --cpu-prof, drives GET <path> (default /api/v1/me) with the bench's closed loop
// for a few seconds, stops the server (which writes its profile) and prints the summary of
// summarize-cpuprofile.ts. Usage: npx tsx bench/profile-api-me.ts [path] [seconds=10] [out-dir]
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { runClosedLoop } from "./lib/closed-loop";
import { bootstrapTenant, startBenchDatabase } from "./lib/database";
import { createHttpClient } from "./lib/http-client";
import { ensureProductionBuild, startNextServer } from "./lib/server";
import { summarizeCpuProfile } from "./summarize-cpuprofile";

async function main() {
  const route = process.argv[2] ?? "/api/v1/me";
  const seconds = Number(process.argv[3] ?? 10);
  const outDir = process.argv[4] ?? mkdtempSync(path.join(os.tmpdir(), "burrow-cpuprof-"));
  await ensureProductionBuild(console.log);
  const database = await startBenchDatabase();
  try {
    const { apiKey } = await bootstrapTenant(database.url);
    const server = await startNextServer({
      env: {
        DATABASE_URL: database.url, AUTH_SECRET: randomBytes(32).toString("base64url"), RUNNER_SECRET: randomBytes(32).toString("base64url"),
        DATA_DIR: database.dataDir, API_RATE_LIMIT_PER_MINUTE: "100000000",
      },
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${outDir}`],
    });
    const http = createHttpClient({ baseUrl: server.url, maxSockets: 32, timeoutMs: 10_000 });
    const headers = { authorization: `Bearer ${apiKey}`, accept: "application/json" };
    const r = await runClosedLoop({
      concurrency: 32, warmupMs: 2000, durationMs: seconds * 1000,
      op: async () => {
        const status = await http.status(route, headers);
        if (status !== 200) throw new Error(`HTTP ${status}`);
      },
    });
    console.log(`${route}: ${r.throughput.toFixed(0)} req/s under --cpu-prof, ${r.errors} errors (1-min load ${os.loadavg()[0].toFixed(2)})`);
    http.close();
    await server.stop();
    const files = readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(outDir, f));
    for (const file of files) {
      const s = summarizeCpuProfile(JSON.parse(readFileSync(file, "utf8")), 25);
      console.log(`\n${file}: ${s.totalMs} ms sampled`);
      for (const [title, rows] of [["self time by group", s.selfByGroup], ["self time, top frames", s.self], ["inclusive time, top frames", s.inclusive]] as const) {
        console.log(`\n${title}`);
        for (const x of rows) console.log(`${x.pct.toFixed(1).padStart(6)}% ${String(x.ms).padStart(7)} ms  ${x.frame}`);
      }
    }
  } finally {
    await database.stop();
  }
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
