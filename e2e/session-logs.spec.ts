import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { fillSignUp, openNav, openSessionTab, uniqueId } from "./helpers";

/** Starts a command from the Overview tab's command box, then comes back to the Logs tab. */
async function startCommand(page: Page, command: string) {
  await openSessionTab(page, "Overview");
  await page.getByLabel("Command", { exact: true }).fill(command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await openSessionTab(page, "Logs");
}

test("the log pane follows a running command live, filters by stream, searches, pauses and downloads", async ({ page }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `logs-${id}@example.com`, tenantName: `Logs ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);
  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  await expect(page.getByTestId("session-state")).toHaveText("running", { timeout: 30_000 });
  const sessionId = page.url().split("/").pop()!;
  try {
    await followRunningCommand(page);
  } finally {
    // Leave no sandbox behind: the server stops after the run, a running sandbox would not.
    const headers = { "x-burrow-tenant": slug };
    expect((await page.request.delete(`/api/v1/sessions/${sessionId}`, { headers })).status()).toBe(200);
    await expect.poll(async () => (await (await page.request.get(`/api/v1/sessions/${sessionId}`, { headers })).json()).state, { timeout: 30_000 }).toBe("terminated");
  }
});

async function followRunningCommand(page: Page) {

  await openSessionTab(page, "Logs");
  const card = page.getByRole("region", { name: "Logs", exact: true });
  const pane = card.getByRole("log", { name: "Session logs" });
  // Each exec also logs `system` lines ("$ <command>", "exit 0 in … ms"), which name the command's text.
  const logLine = (text: string, stream = "stdout") => pane.locator(`[data-testid="log-line"][data-stream="${stream}"]`).filter({ hasText: text });
  await expect(page.getByTestId("log-status")).toHaveText("live");

  // Eight lines over four seconds: the pane shows the first ones while the command still runs.
  await startCommand(page, "for i in $(seq 1 8); do echo line-$i; sleep 0.5; done; echo oops-on-stderr >&2");
  await expect(logLine("line-1")).toBeVisible({ timeout: 15_000 });
  await expect(logLine("line-8")).toHaveCount(0);
  await expect(page.getByTestId("exec-exit")).toHaveCount(0);
  await expect(logLine("line-8")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("exec-exit").first()).toContainText("exit 0");
  await expect(logLine("oops-on-stderr", "stderr")).toBeVisible();
  await expect(logLine("$ sh -c", "system").first()).toBeVisible();
  await expect(logLine("exit 0 in", "system").first()).toBeVisible();

  // Stream filter: stderr only.
  await card.getByRole("checkbox", { name: "stdout" }).uncheck();
  await card.getByRole("checkbox", { name: "system" }).uncheck();
  await expect(logLine("oops-on-stderr", "stderr")).toBeVisible();
  await expect(pane.getByTestId("log-line")).toHaveCount(1);
  await card.getByRole("checkbox", { name: "system" }).check();
  await card.getByRole("checkbox", { name: "stdout" }).check();
  await expect(logLine("line-5")).toBeVisible();

  // Search: the server filters, the pane marks the match.
  await card.getByLabel("Search logs").fill("LINE-3");
  await expect(pane.getByTestId("log-line")).toHaveCount(1);
  await expect(logLine("line-3").locator("mark")).toHaveText("line-3");
  await card.getByLabel("Search logs").fill("");
  await expect(logLine("line-8")).toBeVisible();

  // Pause holds the view; Follow shows what came meanwhile.
  await card.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("log-status")).toHaveText("paused");
  await startCommand(page, "echo after-pause");
  await expect(page.getByTestId("exec-exit")).toHaveCount(2, { timeout: 30_000 }); // in the Overview tab, kept mounted
  await expect(page.getByTestId("log-count")).toContainText("new while paused", { timeout: 15_000 });
  await expect(logLine("after-pause")).toHaveCount(0);
  await card.getByRole("button", { name: "Follow" }).click();
  await expect(logLine("after-pause")).toBeVisible();
  await expect(page.getByTestId("log-status")).toHaveText("live");

  // Download: every line as text.
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "Download" }).click()]);
  const text = readFileSync((await download.path())!, "utf8");
  expect(download.suggestedFilename()).toMatch(/^ses_[0-9A-Z]{26}\.log$/);
  for (const expected of ["line-1", "line-8", "oops-on-stderr", "after-pause"]) expect(text).toContain(expected);
}
