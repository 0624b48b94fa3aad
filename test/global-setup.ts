// Integration tests run against a real Postgres: DATABASE_URL when it is set (a fresh database is
// created on that server), else an embedded Postgres started for this run. Each test makes its own
// tenant, so nothing is wiped between tests.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres";
import { applyMigrations } from "../lib/db/migrate";
import { createDatabase } from "./scratch-database";

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "burrow-test-"));
  let serverUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir, database: "postgres" });
    serverUrl = embedded.url;
    stop = embedded.stop;
  } else if (!/@(127\.0\.0\.1|localhost)(:\d+)?\//.test(serverUrl)) {
    throw new Error("Integration tests refuse a non-local DATABASE_URL");
  }
  const url = await createDatabase(serverUrl, `burrow_test_${process.pid}_${Date.now()}`);
  await applyMigrations(url);
  process.env.DATABASE_URL = url;
  // The server URL lets tests make scratch databases (migration and drift tests).
  process.env.TEST_POSTGRES_SERVER_URL = serverUrl;
  project.provide("databaseUrl", url);

  return async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
