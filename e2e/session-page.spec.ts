// The session page: a sticky header over tabs that are links (`?tab=`), each tab's content, state
// changes from a click shown without a reload (the live event stream), who clicked on the
// timeline, and a terminated session that no longer claims to be live.
import { expect, test } from "@playwright/test";
import { fillSignUp, openNav, openSessionTab, uniqueId } from "./helpers";

test("each tab of the session page, live state from a click, and an ended session shown as ended", async ({ page }) => {
  test.setTimeout(600_000);
  const id = uniqueId();
  const email = `session-page-${id}@example.com`;
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email, tenantName: `Session page ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`, { timeout: 180_000 }); // a dev server compiles the page first (slow on a busy box)
  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`), { timeout: 180_000 });
  const sessionId = new URL(page.url()).pathname.split("/").pop()!;
  const sessionPath = `/t/${slug}/sessions/${sessionId}`;
  const state = page.getByTestId("session-state");
  await expect(state).toHaveText("running", { timeout: 120_000 });

  try {
    // The header: state, live, and the key figures.
    const header = page.getByTestId("session-header");
    await expect(header.getByTestId("session-live")).toBeVisible();
    const figures = page.getByTestId("session-figures");
    await expect(figures).toContainText("Templatebase");
    await expect(figures).toContainText("vCPU");
    await expect(figures).toContainText("Time used");
    await expect(figures).toContainText("Cost so far");

    // Overview (the default): command box, details, state timeline.
    await expect(page.getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
    const overview = page.getByRole("tabpanel", { name: "Overview" });
    await expect(overview.getByRole("heading", { name: "Run a command" })).toBeVisible();
    await expect(overview.getByTestId("session-details")).toContainText("base");
    await expect(overview.getByTestId("timeline-event").first()).toBeVisible();

    // Each tab is a link: its content shows, the URL says which tab.
    await openSessionTab(page, "Logs");
    await expect(page).toHaveURL(`${sessionPath}?tab=logs`);
    await expect(page.getByRole("tabpanel", { name: "Logs" }).getByRole("log", { name: "Session logs" })).toBeVisible();
    await expect(page.getByTestId("log-status")).toHaveText("live", { timeout: 60_000 }); // a dev server compiles the route on first use
    await expect(page.getByRole("log", { name: "Session logs" })).toHaveCount(1); // logs shown once

    await openSessionTab(page, "Terminal");
    await expect(page.getByRole("tabpanel", { name: "Terminal" }).getByRole("button", { name: "Open terminal" })).toBeEnabled();
    await openSessionTab(page, "Files");
    await expect(page.getByRole("tabpanel", { name: "Files" }).getByRole("heading", { name: "Files" })).toBeVisible();
    await openSessionTab(page, "Traces");
    await expect(page.getByRole("tabpanel", { name: "Traces" }).getByRole("heading", { name: "Spans" })).toBeVisible();
    await expect(page.getByRole("tabpanel", { name: "Traces" }).getByTestId("timeline-span").first()).toBeVisible({ timeout: 60_000 });
    await openSessionTab(page, "Metrics");
    const metrics = page.getByRole("tabpanel", { name: "Metrics" });
    await expect(metrics.getByTestId("metrics-latest")).toContainText("vCPU", { timeout: 60_000 });
    await openSessionTab(page, "Snapshots");
    await expect(page.getByRole("tabpanel", { name: "Snapshots" }).getByRole("heading", { name: "Snapshots" })).toBeVisible();
    await expect(page).toHaveURL(`${sessionPath}?tab=snapshots`);

    // The tab survives a reload and Back returns to the one before.
    await page.reload();
    await expect(page.getByRole("tab", { name: "Snapshots" })).toHaveAttribute("aria-selected", "true");
    await page.goBack();
    await expect(page).toHaveURL(`${sessionPath}?tab=metrics`);
    await expect(page.getByRole("tab", { name: "Metrics" })).toHaveAttribute("aria-selected", "true");

    // Arrow keys move between tabs (and Home to the first).
    await page.getByRole("tab", { name: "Metrics" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(page).toHaveURL(`${sessionPath}?tab=snapshots`);
    await expect(page.getByRole("tab", { name: "Snapshots" })).toBeFocused();
    await page.keyboard.press("ArrowRight");
    await expect(page).toHaveURL(`${sessionPath}?tab=network`);
    await expect(page.getByRole("tabpanel", { name: "Network" }).getByText("No network", { exact: true })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Network" })).toBeFocused();
    await page.keyboard.press("ArrowRight"); // wraps around
    await expect(page).toHaveURL(sessionPath);
    await expect(page.getByRole("tab", { name: "Overview" })).toBeFocused();
    await page.keyboard.press("ArrowLeft");
    await expect(page).toHaveURL(`${sessionPath}?tab=network`);
    await page.keyboard.press("Home");
    await expect(page).toHaveURL(sessionPath);
    // The page shows the tab the URL names (not only the URL changed).
    await expect(page.getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("tabpanel", { name: "Overview" })).toBeVisible();

    // A click's state change shows without a reload. The stream is live (so the fallback refetch
    // is 30 s away): "paused" on screen within the expect timeout came from the stream.
    await expect(header.getByTestId("session-live")).toBeVisible();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // The action's own answer shows first (where it is headed; a dev server compiles the route on
    // first use), then the runner's change arrives by the stream.
    const desired = header.getByTestId("session-desired-state");
    await header.getByRole("button", { name: "Pause", exact: true }).click();
    await expect(desired.or(state.filter({ hasText: /^paused$/ }))).toBeVisible({ timeout: 60_000 });
    await expect(state).toHaveText("paused");
    await header.getByRole("button", { name: "Resume", exact: true }).click();
    await expect(desired.or(state.filter({ hasText: /^running$/ }))).toBeVisible({ timeout: 60_000 });
    await expect(state).toHaveText("running");
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The timeline names the person who clicked, not "the API".
    const paused = page.getByTestId("timeline-event").filter({ has: page.getByTestId("timeline-state").getByText("paused", { exact: true }) });
    await expect(paused.getByTestId("timeline-actor")).toHaveText(`by ${email}`);

    // Terminated: no live badge, no current readouts, no terminal.
    await header.getByRole("button", { name: "Terminate", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Terminate session" }).click();
    await expect(state).toHaveText("terminated", { timeout: 30_000 });
    await expect(header.getByTestId("session-live")).toHaveCount(0);
    await openSessionTab(page, "Logs");
    await expect(page.getByTestId("log-status")).toHaveText("ended");
    await openSessionTab(page, "Metrics");
    await expect(metrics.getByTestId("metrics-ended")).toBeVisible();
    await expect(metrics.getByTestId("metrics-latest")).toHaveCount(0);
    await openSessionTab(page, "Terminal");
    await expect(page.getByRole("tabpanel", { name: "Terminal" })).toContainText("The session is terminated");
    await expect(page.getByRole("button", { name: /Open (a new )?terminal/ })).toHaveCount(0);
    // A reload of the ended session: still no live badge.
    await page.reload();
    await expect(state).toHaveText("terminated");
    await expect(page.getByTestId("session-figures")).toContainText("Ran for");
    await expect(header.getByTestId("session-live")).toHaveCount(0);
  } finally {
    // Leave no sandbox behind.
    await page.request.delete(`/api/v1/sessions/${sessionId}`, { headers: { "x-burrow-tenant": slug } });
  }
});
