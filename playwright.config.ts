// End-to-end tests: drive the console in Debian's Chromium against `npm start` on a fresh data
// directory (its own embedded Postgres), so every run starts from an empty database.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// E2E_PORT lets two checkouts run their suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 3199);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// Never point the tests at a real database: they sign up users and create tenants.
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  let host: string;
  try {
    host = new URL(databaseUrl).hostname;
  } catch {
    throw new Error("DATABASE_URL is not a valid URL; refusing to run the e2e tests");
  }
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run the e2e tests against a non-local database (${host}); unset DATABASE_URL to use an embedded one`);
  }
}

/** Data directories of earlier runs whose Postgres has stopped (no postmaster.pid) and that are over 10 minutes old. */
function removeOldDataDirs() {
  for (const name of readdirSync("/tmp")) {
    if (!name.startsWith("burrow-e2e-")) continue;
    const dir = path.join("/tmp", name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 10 * 60_000 && !existsSync(path.join(dir, "postgres", "postmaster.pid"))) {
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      /* another run's directory, or already gone */
    }
  }
}

// The config is loaded again in each worker; the environment carries the first load's directory.
if (!process.env.BURROW_E2E_DATA_DIR) {
  removeOldDataDirs();
  process.env.BURROW_E2E_DATA_DIR = mkdtempSync(path.join("/tmp", "burrow-e2e-"));
}
const dataDir = process.env.BURROW_E2E_DATA_DIR;

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        browserName: "chromium",
        viewport: { width: 1280, height: 900 },
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        },
      },
    },
  ],
  webServer: {
    command: "scripts/e2e-server.sh",
    url: `${BASE_URL}/api/health`,
    env: { DATA_DIR: dataDir, PORT: String(PORT), HOST: "127.0.0.1" },
    timeout: 180_000,
    reuseExistingServer: false,
    // SIGINT lets `npm start` stop the web app, the workers and the embedded Postgres cleanly.
    gracefulShutdown: { signal: "SIGINT", timeout: 30_000 },
    // E2E_SERVER_LOG=1 shows the server's own log (web app, runner, scheduler) to debug a spec.
    stdout: process.env.E2E_SERVER_LOG ? "pipe" : "ignore",
    stderr: "pipe",
  },
});
