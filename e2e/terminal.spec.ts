import { expect, test, type Locator } from "@playwright/test";
import { fillSignUp, openNav, openSessionTab, uniqueId } from "./helpers";

/** The size the shell sees, read from a marker line printed by `stty size` (the last one shown). */
async function shellSize(terminal: Locator, nth: number): Promise<{ rows: number; cols: number }> {
  await terminal.click();
  await terminal.page().keyboard.type(`echo size-${nth}=$(stty size | tr ' ' x)=\n`);
  const marker = new RegExp(`size-${nth}=(\\d+)x(\\d+)=`);
  await expect(terminal).toContainText(marker);
  const [, rows, cols] = marker.exec((await terminal.textContent()) ?? "")!;
  return { rows: Number(rows), cols: Number(cols) };
}

test("open a terminal in a session, type commands, resize it, and see it close when the session pauses", async ({ page }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `terminal-${id}@example.com`, tenantName: `Terminal ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);

  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  const state = page.getByTestId("session-state");
  await expect(state).toHaveText("running", { timeout: 30_000 });

  await openSessionTab(page, "Terminal");
  await page.getByRole("button", { name: "Open terminal" }).click();
  const terminal = page.getByTestId("terminal");
  await expect(terminal).toContainText("/workspace", { timeout: 30_000 }); // the prompt
  await terminal.click();
  await page.keyboard.type("echo hello-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(terminal).toContainText("hello-42");

  // The shell's size follows the panel: narrower window, fewer columns.
  const before = await shellSize(terminal, 1);
  expect(before.cols).toBeGreaterThan(40);
  await page.setViewportSize({ width: 1100, height: 900 });
  await expect.poll(async () => (await shellSize(terminal, 2 + Math.floor(Math.random() * 1e6))).cols, { timeout: 15_000 }).toBeLessThan(before.cols);

  await page.getByTestId("session-header").getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByTestId("terminal-status")).toHaveText("Terminal closed: session paused", { timeout: 30_000 });
  await expect(terminal).toContainText("terminal closed: session paused");
  await expect(state, "the page shows the pause (the API's view is in the next message if not)").toHaveText("paused", { timeout: 30_000 }).catch(async (e: Error) => {
    // Which side is behind, the runner or the page: what the API says now and the state timeline.
    const sessionId = new URL(page.url()).pathname.split("/").pop()!;
    const headers = { "x-burrow-tenant": slug };
    const api = await (await page.request.get(`/api/v1/sessions/${sessionId}`, { headers })).json();
    const events = await (await page.request.get(`/api/v1/sessions/${sessionId}/events`, { headers })).json();
    throw new Error(`${e.message}\nAPI: state ${api.state}, desired ${api.desiredState}; timeline ${JSON.stringify(events.data.map((x: { toState: string; at: string }) => [x.toState, x.at]))}; now ${new Date().toISOString()}`);
  });

  // A new terminal wakes the session.
  await page.getByRole("button", { name: "Open a new terminal" }).click();
  await expect(page.getByRole("button", { name: "Close terminal" })).toBeEnabled({ timeout: 30_000 });
  await expect(state).toHaveText("running", { timeout: 30_000 });
  await terminal.click();
  await page.keyboard.type("echo again-$((2*21))\n");
  await expect(terminal).toContainText("again-42");
  await page.getByRole("button", { name: "Close terminal" }).click();
  await expect(page.getByTestId("terminal-status")).toHaveText("Terminal closed: closed by its user");

  // Leave no sandbox behind (stopping `npm start` would keep a running one for the next start).
  await page.getByRole("button", { name: "Terminate", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Terminate session" }).click();
  await expect(state).toHaveText("terminated", { timeout: 30_000 });
  // An ended session has no terminal to offer (nor one to show as current).
  await expect(page.getByRole("tabpanel", { name: "Terminal" })).toContainText("The session is terminated");
  await expect(page.getByRole("button", { name: "Open a new terminal" })).toHaveCount(0);
});
