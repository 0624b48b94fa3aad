// A Postgres of the test file's own (a fresh embedded server, migrated), which the file may stop
// and start again to play a database outage without disturbing the other test files. The app's
// database client points at it for the file's duration.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { disconnectDb } from "@/lib/db/client";
import { type RunningPostgres, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations } from "@/lib/db/migrate";

export function useOwnPostgres(dirPrefix: string) {
  let server: RunningPostgres;
  let dataDir: string;
  const sharedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), dirPrefix));
    server = await startEmbeddedPostgres({ dataDir });
    await applyMigrations(server.url);
    await disconnectDb();
    process.env.DATABASE_URL = server.url;
  });

  afterAll(async () => {
    await disconnectDb();
    process.env.DATABASE_URL = sharedUrl;
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get url() {
      return server.url;
    },
    stop: () => server.stop(),
    /** kill -9 of the postmaster: no shutdown checkpoint, the next start runs crash recovery. */
    kill: async () => {
      const pid = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
      process.kill(pid, "SIGKILL");
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    },
    /** Starts the same data directory on the same port again (retrying while a killed server's backends exit). */
    restart: async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          server = await startEmbeddedPostgres({ dataDir, port: server.port });
          return;
        } catch (err) {
          if (attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
