// Where the database is: DATABASE_URL when set, else the embedded Postgres under DATA_DIR. The
// process that starts the embedded server records its URL in DATA_DIR so that other commands
// (`npm run admin`) can use the running server instead of starting a second one.
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { type RunningPostgres, startEmbeddedPostgres } from "./embedded-postgres";
import { processAlive } from "./running-instances";

const stateFile = (dataDir: string) => path.join(path.resolve(dataDir), "postgres.json");

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export type LocalDatabase = { url: string; embedded: boolean; stop: () => Promise<void> };

export async function openLocalDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalDatabase> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: false, stop: async () => {} };
  const file = stateFile(opts.dataDir);
  if (existsSync(file)) {
    const { url, pid } = JSON.parse(await readFile(file, "utf8")) as { url: string; pid?: number };
    if (await reachable(url)) {
      // Its starter still runs (e.g. `npm start` while `npm run admin` asks): leave it to it.
      if (pid && processAlive(pid)) return { url, embedded: true, stop: async () => {} };
      // Left behind by a starter that was killed (SIGKILL): adopt it, and stop it when we stop.
      opts.log?.(`adopting the embedded Postgres left running by process ${pid ?? "?"}`);
      await writeFile(file, JSON.stringify({ url, pid: process.pid }) + "\n", { mode: 0o600 });
      return { url, embedded: true, stop: () => stopAdoptedPostgres(opts.dataDir, file) };
    }
  }
  const running: RunningPostgres = await startEmbeddedPostgres({ dataDir: opts.dataDir, port: opts.port, log: opts.log });
  await writeFile(file, JSON.stringify({ url: running.url, pid: process.pid }) + "\n", { mode: 0o600 });
  return {
    url: running.url,
    embedded: true,
    stop: async () => {
      await rm(file, { force: true });
      await running.stop();
    },
  };
}

/** Fast shutdown (SIGINT) of the postmaster named in its pid file, waiting (bounded) until it is gone. */
async function stopAdoptedPostgres(dataDir: string, file: string): Promise<void> {
  await rm(file, { force: true });
  const pidFile = path.join(path.resolve(dataDir), "postgres", "postmaster.pid");
  const postmaster = Number((await readFile(pidFile, "utf8").catch(() => "")).split("\n")[0]);
  if (!postmaster || !processAlive(postmaster)) return;
  process.kill(postmaster, "SIGINT");
  for (let i = 0; i < 300 && processAlive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
}
