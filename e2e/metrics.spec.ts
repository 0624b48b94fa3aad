import { expect, test } from "@playwright/test";
import { fillSignUp, openNav, openSessionTab, uniqueId } from "./helpers";

test("retention settings, a session's resource chart, and concurrent sessions on the overview", async ({ page }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `metrics-${id}@example.com`, tenantName: `Metrics ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);
  const concurrency = page.getByRole("region", { name: "Concurrent sessions" });
  await expect(concurrency.getByTestId("concurrency-summary")).toContainText("Peak running0");

  // Retention: out of range is refused with the API's message; a valid change is kept.
  await openNav(page, "Settings");
  const retention = page.getByRole("form", { name: "Retention" });
  await expect(retention.getByLabel("Logs and metrics (days)")).toHaveValue("7");
  await retention.getByLabel("Spans (days)").fill("400");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(retention.locator("#span-retention-days-error")).toContainText("365");
  await retention.getByLabel("Logs and metrics (days)").fill("30");
  await retention.getByLabel("Spans (days)").fill("3");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByText("Logs and metrics are kept 30 days, spans 3 days.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("form", { name: "Retention" }).getByLabel("Spans (days)")).toHaveValue("3");

  // A running session gets sampled; the chart fills in without a reload.
  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  const sessionId = page.url().split("/").pop()!;
  await expect(page.getByTestId("session-state")).toHaveText("running", { timeout: 30_000 });
  await openSessionTab(page, "Metrics");
  const resources = page.getByRole("region", { name: "Resource use", exact: true });
  await expect(resources.getByTestId("metrics-latest")).toContainText("vCPU", { timeout: 30_000 });
  await expect(resources.getByRole("img", { name: "CPU over time" })).toBeVisible();
  await expect(resources.getByRole("img", { name: "Memory over time" }).locator("path.recharts-curve")).toHaveCount(1);

  await openNav(page, "Overview");
  await expect(concurrency.getByTestId("concurrency-summary")).toContainText("Running (latest bucket)1");
  await expect(concurrency.getByRole("img", { name: "Concurrent sessions over time" })).toBeVisible();

  // Leave no sandbox behind: the server stops after the run, a running sandbox would not.
  const headers = { "x-burrow-tenant": slug };
  expect((await page.request.delete(`/api/v1/sessions/${sessionId}`, { headers })).status()).toBe(200);
  await expect.poll(async () => (await (await page.request.get(`/api/v1/sessions/${sessionId}`, { headers })).json()).state, { timeout: 30_000 }).toBe("terminated");
});
