import { expect, test, type Page } from "@playwright/test";
import { fillSignUp, openNav, uniqueId } from "./helpers";

/** Runs a shell command in the session's command box and waits for its exit line. */
async function run(page: Page, command: string, nth: number) {
  await page.getByLabel("Command", { exact: true }).fill(command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("exec-exit").nth(nth)).toBeVisible({ timeout: 30_000 });
}

test("start a session, run commands, hibernate and wake it, terminate it", async ({ page }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `sessions-${id}@example.com`, tenantName: `Sandbox ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);

  await openNav(page, "Sessions");
  await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  await expect(page.getByText("No sessions yet")).toBeVisible();
  await page.getByRole("button", { name: "New session" }).first().click();
  await expect(page.getByLabel("Template", { exact: true })).toHaveValue("base");
  await page.getByRole("button", { name: "Start session" }).click();

  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  const sessionId = page.url().split("/").pop()!;
  const state = page.getByTestId("session-state");
  await expect(state).toHaveText("running", { timeout: 30_000 });

  const output = page.getByTestId("exec-output");
  await run(page, "echo hello-from-sandbox", 0);
  await expect(output).toContainText("hello-from-sandbox");
  await expect(page.getByTestId("exec-exit").nth(0)).toContainText("exit 0");

  await run(page, "echo kept-across-hibernation > /workspace/note.txt", 1);
  await page.getByRole("button", { name: "Hibernate", exact: true }).click();
  await expect(state).toHaveText("hibernated", { timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Resume", exact: true })).toBeVisible();

  // Running a command in a hibernated session wakes it; the file written before is still there.
  await run(page, "cat /workspace/note.txt", 2);
  await expect(page.getByTestId("exec-exit").nth(2)).toContainText("exit 0");
  await expect(output).toContainText("kept-across-hibernation");
  await expect(state).toHaveText("running", { timeout: 30_000 });
  await expect(page.getByTestId("timeline-event").filter({ hasText: "woken by a request" }).first()).toBeVisible();

  await page.getByRole("button", { name: "Terminate", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(sessionId);
  await dialog.getByRole("button", { name: "Terminate session" }).click();
  await expect(dialog).toBeHidden();
  await expect(state).toHaveText("terminated", { timeout: 30_000 });
  await expect(page.getByLabel("Command", { exact: true })).toBeDisabled();

  await openNav(page, "Sessions");
  const row = page.getByTestId("session-row").filter({ hasText: sessionId });
  await expect(row.getByTestId("session-state")).toHaveText("terminated");
});
