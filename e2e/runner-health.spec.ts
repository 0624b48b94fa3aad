import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { fillSignUp, openNav, uniqueId } from "./helpers";

// A second runner worker against the e2e server's database, on a "host" whose OCI runtime is
// missing: it registers as unable to run sandboxes, and the Runners page says why.
test("the Runners page shows why a runner cannot run sandboxes", async ({ page }) => {
  test.setTimeout(180_000); // under E2E_DEV the first page loads compile
  const dataDir = process.env.BURROW_E2E_DATA_DIR!;
  const { url } = JSON.parse(readFileSync(path.join(dataDir, "postgres.json"), "utf8")) as { url: string };
  const name = `unhealthy-${uniqueId()}`;
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-e2e-runner-"));
  let output = "";
  const runner: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/runner/index.ts"], {
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: runnerDir, RUNNER_NAME: name, RUNNER_LABELS: JSON.stringify({ pool: name }), SANDBOX_RUNTIME: "burrow-no-such-runtime" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  runner.stdout?.on("data", (d) => (output += d));
  runner.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => runner.once("exit", () => resolve()));
  try {
    await expect.poll(() => output, { timeout: 30_000, message: "the runner registers" }).toContain(`registered ${name}`);

    const id = uniqueId();
    await page.goto("/signup");
    const slug = await fillSignUp(page, { email: `runners-${id}@example.com`, tenantName: `Runners ${id}` });
    await expect(page).toHaveURL(`/t/${slug}`, { timeout: 60_000 });
    await openNav(page, "Runners");
    const card = page.getByTestId("runner-card").filter({ hasText: name });
    await expect(card.getByTestId("runner-unhealthy-reason")).toContainText(/Cannot run sandboxes: burrow-no-such-runtime\b.* not installed on the runner's host/);
    await expect(card.getByText("cannot run sandboxes", { exact: true })).toBeVisible();
  } finally {
    if (runner.exitCode === null) runner.kill("SIGTERM");
    await exited;
    rmSync(runnerDir, { recursive: true, force: true });
  }
});
