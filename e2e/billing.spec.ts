import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import type { BillingSummary, UsageAnswer } from "../components/billing/billing-types";
import { formatCents, formatDecimal } from "../components/billing/money";
import { fillSignUp, openNav, uniqueId } from "./helpers";

// The e2e server has no STRIPE_SECRET_KEY: local billing mode, estimates only.

function api(request: APIRequestContext, slug: string) {
  const headers = { "x-burrow-tenant": slug };
  return {
    summary: async (): Promise<BillingSummary> => {
      const res = await request.get("/api/v1/billing/summary", { headers });
      expect(res.status()).toBe(200);
      return res.json();
    },
    usage: async (query: Record<string, string>): Promise<UsageAnswer> => {
      const res = await request.get("/api/v1/usage", { headers, params: query });
      expect(res.status()).toBe(200);
      return res.json();
    },
    patchSettings: (body: unknown) => request.patch("/api/v1/billing/settings", { headers, data: body }),
    session: async (id: string) => (await request.get(`/api/v1/sessions/${id}`, { headers })).json(),
    events: async (id: string) => (await (await request.get(`/api/v1/sessions/${id}/events`, { headers })).json()).data as { toState: string; at: string }[],
    terminate: (id: string) => request.delete(`/api/v1/sessions/${id}`, { headers }),
  };
}

/** Every figure of the summary on the page is the API's, formatted: total, fee, usage, each line. */
async function expectPageShowsSummary(page: Page, summary: BillingSummary) {
  await expect(page.getByTestId("billing-total")).toHaveText(formatCents(summary.totalCents));
  await expect(page.getByTestId("billing-usage")).toHaveText(formatCents(summary.usageCents));
  await expect(page.getByTestId("billing-fee")).toHaveText(formatCents(summary.feeCents));
  await expect(page.getByTestId("billing-plan")).toHaveText(summary.plan.name);
  await expect(page.getByTestId("cost-lines-total")).toHaveText(formatCents(summary.totalCents));
  await expect(page.getByTestId("cost-line")).toHaveCount(summary.lines.length);
  for (const line of summary.lines) {
    const row = page.locator(`[data-testid="cost-line"][data-meter="${line.meter}"]`);
    await expect(row.getByTestId("cost-line-quantity")).toHaveText(formatDecimal(line.quantity));
    await expect(row.getByTestId("cost-line-billable")).toHaveText(formatDecimal(line.billableQuantity));
    await expect(row.getByTestId("cost-line-amount")).toHaveText(formatCents(line.amountCents));
  }
}

/** Reloads until the page and the API agree (a rollup may land between the two reads). */
async function expectPageEqualsApi(page: Page, read: () => Promise<BillingSummary>) {
  await expect(async () => {
    await page.reload();
    const summary = await read();
    await expectPageShowsSummary(page, summary);
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 5_000] });
}

test("billing portal in local mode: figures equal the API's, spend limit, plan change, a session's usage", async ({ page }) => {
  test.setTimeout(300_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `billing-${id}@example.com`, tenantName: `Billing ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);
  const billing = api(page.request, slug);

  await openNav(page, "Billing");
  await expect(page).toHaveURL(`/t/${slug}/billing`);
  await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
  await expect(page.getByTestId("billing-mode")).toHaveText("Local billing: estimates only, not charged");
  const fresh = await billing.summary();
  expect(fresh.mode).toBe("local");
  expect(fresh.charged).toBe(false);
  await expectPageShowsSummary(page, fresh);

  // Spend limit: an invalid value is refused (the API's own bounds, said in dollars); a valid one is kept.
  const refused = await billing.patchSettings({ spendLimitCents: -500 });
  expect(refused.status()).toBe(400);
  const limitForm = page.getByRole("form", { name: "Spend limit" });
  await limitForm.getByLabel("Monthly spend limit (USD)").fill("-5");
  await limitForm.getByRole("button", { name: "Save spend limit" }).click();
  await expect(limitForm.locator("#spend-limit-error")).toHaveText("Spend limit must be between $0.00 and $20,000,000.00");
  expect((await billing.summary()).spendLimitCents).toBeNull();
  await limitForm.getByLabel("Monthly spend limit (USD)").fill("250");
  await limitForm.getByRole("button", { name: "Save spend limit" }).click();
  await expect(page.getByText("Monthly spend limit set to $250.00.")).toBeVisible();
  await expect(page.getByTestId("billing-spend-limit")).toHaveText("$250.00");
  expect((await billing.summary()).spendLimitCents).toBe(25_000);

  // Plan change in local mode applies at once.
  const pro = page.getByRole("region", { name: "Pro plan" });
  await pro.getByRole("button", { name: "Switch to Pro" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm.getByRole("heading")).toHaveText(/^Switch to Pro for \$[\d,]+\.\d\d a month\?$/);
  await confirm.getByRole("button", { name: "Switch to Pro" }).click();
  await expect(page.getByText("Plan changed to Pro.")).toBeVisible();
  await expect(page.getByTestId("billing-plan")).toHaveText("Pro");
  await expect(pro.getByText("Current plan")).toBeVisible();
  const onPro = await billing.summary();
  expect(onPro.plan.id).toBe("pro");
  expect(formatCents(onPro.feeCents)).toBe("$29.00");
  await expectPageShowsSummary(page, onPro);

  // A real short session: start it, run a command, terminate it.
  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  const sessionId = page.url().split("/").pop()!;
  try {
    await expect(page.getByTestId("session-state")).toHaveText("running", { timeout: 30_000 });
    await page.getByLabel("Command", { exact: true }).fill("echo metered");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect(page.getByTestId("exec-exit").first()).toContainText("exit 0", { timeout: 30_000 });
  } finally {
    expect((await billing.terminate(sessionId)).status()).toBe(200);
    await expect.poll(async () => (await billing.session(sessionId)).state, { timeout: 30_000 }).toBe("terminated");
  }

  // Its running time, from its own state timeline, times its vCPUs: what the meter must show.
  const { resources } = await billing.session(sessionId);
  const events = (await billing.events(sessionId)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let runningMs = 0;
  for (let i = 0; i < events.length - 1; i++) {
    if (events[i].toState === "running") runningMs += Date.parse(events[i + 1].at) - Date.parse(events[i].at);
  }
  const expectedVcpuSeconds = (runningMs / 1000) * resources.vcpu;
  expect(expectedVcpuSeconds).toBeGreaterThan(0);

  // Wait for a rollup after the termination: the session's vcpu_seconds reach its whole running time.
  const period = onPro.period;
  await expect.poll(async () => {
    const usage = await billing.usage({ from: period.start, to: period.end, granularity: "day", groupBy: "session" });
    const row = usage.data.find((r) => r.key === sessionId && r.meter === "vcpu_seconds");
    return row ? Math.abs(Number(row.quantity) - expectedVcpuSeconds) : Number.POSITIVE_INFINITY;
  }, { timeout: 150_000, intervals: [2_000, 5_000] }).toBeLessThan(0.01);

  await openNav(page, "Billing");
  await expect(page).toHaveURL(`/t/${slug}/billing`); // before a reload, or it reloads the page we left
  await expectPageEqualsApi(page, billing.summary);
  const final = await billing.summary();
  const vcpu = final.lines.find((l) => l.meter === "vcpu_seconds")!;
  expect(Number(vcpu.quantity)).toBeGreaterThan(0);
  const vcpuRow = page.locator('[data-testid="cost-line"][data-meter="vcpu_seconds"]');
  await expect(vcpuRow.getByTestId("cost-line-quantity")).not.toHaveText("0");
  await expect(vcpuRow.getByTestId("cost-line-amount")).toHaveText(formatCents(vcpu.amountCents));

  // The session's own row in the cost breakdown is the usage API's row.
  const usage = await billing.usage({ from: period.start, to: period.end, granularity: "day", groupBy: "session" });
  const sessionRows = usage.data.filter((r) => r.key === sessionId);
  expect(sessionRows.length).toBeGreaterThan(0);
  const breakdown = page.getByRole("region", { name: "Cost per session" });
  for (const r of sessionRows) {
    const row = breakdown.locator(`[data-testid="usage-row"][data-key="${sessionId}"][data-meter="${r.meter}"][data-start="${r.start}"]`);
    await expect(row.getByTestId("usage-row-quantity")).toHaveText(formatDecimal(r.quantity));
    await expect(row.getByTestId("usage-row-amount")).toHaveText(formatCents(r.amountCents));
  }
  await expect(page.getByRole("img", { name: "vCPU time per day" })).toBeVisible();

  // A limit of $0 is reached at once: a notice here, a banner on the other pages, new sessions refused.
  const form = page.getByRole("form", { name: "Spend limit" });
  await form.getByLabel("Monthly spend limit (USD)").fill("0");
  await form.getByRole("button", { name: "Save spend limit" }).click();
  await expect(page.getByText("Monthly spend limit set to $0.00.")).toBeVisible();
  await expect(page.getByTestId("billing-notice").first()).toContainText("Spend limit reached");
  expect((await billing.summary()).spendLimitReached).toBe(true);
  await openNav(page, "Sessions");
  await expect(page).toHaveURL(`/t/${slug}/sessions`);
  const banner = page.getByTestId("billing-banner");
  await expect(banner).toContainText("Spend limit reached");
  const refusedCreate = await page.request.post("/api/v1/sessions", { headers: { "x-burrow-tenant": slug }, data: {} });
  const refusedBody = await refusedCreate.json();
  if (refusedCreate.ok()) await billing.terminate(refusedBody.id); // leave no sandbox behind if it was not refused
  expect(refusedCreate.status()).toBe(402);
  expect(refusedBody.error.code).toBe("spend_limit_reached");
  await banner.getByRole("link", { name: "View billing" }).click();
  await expect(page).toHaveURL(`/t/${slug}/billing`);
  await page.getByRole("form", { name: "Spend limit" }).getByRole("button", { name: "Remove limit" }).click();
  await expect(page.getByTestId("billing-spend-limit")).toHaveText("No limit");
  await expect(page.getByTestId("billing-notice")).toHaveCount(0);
  expect((await billing.summary()).spendLimitCents).toBeNull();
});
