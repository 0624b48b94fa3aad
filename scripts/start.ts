// `npm start`: one command for everything. Checks the host's tools for sandboxes (as root, installs
// what is missing with apt-get), uses DATABASE_URL or starts an embedded Postgres under
// DATA_DIR, applies migrations, builds the app if needed, then runs the web app and the workers
// until Ctrl-C / SIGTERM, when it stops them all (and the embedded Postgres) cleanly. If any of them
// dies, everything stops and the exit code is 1, for the service manager to restart the stack
// (scripts/supervise-children.ts; README "Running it under systemd").
import { type ChildProcess, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openLocalDatabase } from "../lib/db/local-database";
import { applyMigrations } from "../lib/db/migrate";
import { recordRunningInstance } from "../lib/db/running-instances";
import { restrictDataDir } from "../lib/data-dir";
import { env } from "../lib/env";
import { ensureHostPrerequisites } from "./ensure-host-prerequisites";
import { superviseChildren } from "./supervise-children";

// Next.js sends anonymous usage telemetry unless told not to, and prints a notice about it: off for
// the build and the web process (children inherit it), so nothing is sent and nothing is printed.
process.env.NEXT_TELEMETRY_DISABLED = "1";
const dev = process.argv.includes("--dev");
const log = (msg: string) => console.log(`[burrow] ${msg}`);

/** A secret from the environment, else one generated once and kept under DATA_DIR. */
function keptSecret(dataDir: string, name: string, given: string | undefined): string {
  if (given) return given;
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function main() {
  ensureHostPrerequisites({
    runtime: env.SANDBOX_RUNTIME, diskLimits: env.SANDBOX_DISK_LIMITS === "on", network: env.SANDBOX_NETWORK === "on", execAgent: env.SANDBOX_EXEC_AGENT === "on", installAllowed: env.BURROW_INSTALL_PREREQUISITES,
    searchPath: env.PATH, isRoot: process.getuid?.() === 0, log,
  });
  const dataDir = path.resolve(env.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const database = await openLocalDatabase({ databaseUrl: env.DATABASE_URL, dataDir, log: () => {} });
  log(database.embedded ? `embedded Postgres running (data in ${dataDir}/postgres)` : "using DATABASE_URL");
  await restrictDataDir(dataDir, { othersMayTraverse: database.embedded && process.getuid?.() === 0 });
  const migrated = await applyMigrations(database.url);
  log(migrated.applied.length ? `applied migrations: ${migrated.applied.join(", ")}` : "database schema is up to date");

  if (!dev && !existsSync(".next/BUILD_ID")) {
    log("no production build yet; running `next build` once");
    const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }

  const url = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
  // Auth.js builds its redirect and OAuth callback URLs from AUTH_URL; without it they say localhost.
  const childEnv = { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: keptSecret(dataDir, "auth-secret", env.AUTH_SECRET), RUNNER_SECRET: keptSecret(dataDir, "runner-secret", env.RUNNER_SECRET), DATA_DIR: dataDir, AUTH_URL: process.env.AUTH_URL ?? url };
  const forgetInstance = recordRunningInstance(env.BURROW_INSTANCES_DIR, { pid: process.pid, port: env.PORT, dataDir, embeddedDatabase: database.embedded });
  const { run } = superviseChildren({ env: childEnv, log, onStopped: () => { forgetInstance(); return database.stop(); } });

  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  // In production, Next runs behind scripts/web-server.ts, which answers what Next itself would
  // answer with a 500 (TRACE, a path that is not UTF-8) with the API's JSON error.
  const webArgs = ["-p", String(env.PORT), "-H", env.HOST];
  const web = run({ name: "web", command: process.execPath, args: dev ? [nextBin, "dev", ...webArgs] : ["--import", "tsx", "scripts/web-server.ts", ...webArgs] });
  run({ name: "scheduler", command: process.execPath, args: ["--import", "tsx", "workers/scheduler/index.ts"] });
  run({ name: "runner", command: process.execPath, args: ["--import", "tsx", "workers/runner/index.ts"] });
  // Its own process: route handlers cannot upgrade WebSockets (README "Ports and preview URLs").
  run({ name: "preview-proxy", command: process.execPath, args: ["--import", "tsx", "workers/preview-proxy/index.ts"] });
  const local = `http://${env.HOST}:${env.PORT}`;
  if (await waitForHealth(local, web, 120_000)) log(`ready: ${url}`);
  else log(`web app did not answer ${url}/api/health yet; see its output above`);
}

main().catch((err) => {
  console.error("[burrow] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
