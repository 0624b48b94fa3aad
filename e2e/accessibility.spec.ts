// Accessibility and themes: axe-core on every console page (and the sign-in and sign-up pages) in
// the light and the dark theme, with zero serious or critical violations; the skip link; the theme
// toggle; and sign-out ending the session on the server (a cookie saved before it is refused after).
import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousA11yViolations, fillSignUp, uniqueId } from "./helpers";

const CONSOLE_PAGES = [
  ["Overview", ""], ["Sessions", "/sessions"], ["Templates", "/templates"], ["Snapshots", "/snapshots"], ["Traces", "/traces"],
  ["Runners", "/runners"], ["API keys", "/api-keys"], ["Members", "/members"], ["Audit log", "/audit-log"], ["Billing", "/billing"],
  ["Settings", "/settings"], ["API reference", "/api-reference"],
] as const;

async function signUp(page: Page, prefix: string): Promise<string> {
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `${prefix}-${id}@example.com`, tenantName: `${prefix} ${id}` });
  // The first sign-in compiles the console under E2E_DEV: allow it a minute.
  await expect(page).toHaveURL(`/t/${slug}`, { timeout: 60_000 });
  return slug;
}

/** Waits until the page shows its heading and no loading placeholder, so axe sees what a person does. */
async function settle(page: Page) {
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/^Loading/)).toHaveCount(0, { timeout: 30_000 });
}

for (const scheme of ["light", "dark"] as const) {
  test(`every console page has no serious accessibility violations (${scheme} theme)`, async ({ page }) => {
    test.setTimeout(420_000);
    // The system setting: the console follows it until a theme is chosen.
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ["/signin", "/signup"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      await expectNoSeriousA11yViolations(page, `${path} (${scheme})`);
    }
    const slug = await signUp(page, `a11y-${scheme}`);
    const created = await page.request.post("/api/v1/sessions", { headers: { "x-burrow-tenant": slug }, data: { template: "base" } });
    expect(created.status()).toBe(201);
    const sessionId = ((await created.json()) as { id: string }).id;

    for (const [name, path] of [...CONSOLE_PAGES, ["Session", `/sessions/${sessionId}`] as const]) {
      await page.goto(`/t/${slug}${path}`);
      await settle(page);
      await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      await expectNoSeriousA11yViolations(page, `${name} (${scheme})`);
    }
  });
}

test("the skip link is the first thing Tab reaches and moves focus to the page", async ({ page }) => {
  const slug = await signUp(page, "skip");
  await page.goto(`/t/${slug}/sessions`);
  await settle(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
});

test("the theme toggle overrides the system setting, is remembered and applies before first paint", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  const slug = await signUp(page, "theme");
  const html = page.locator("html");
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.locator("label").filter({ hasText: /^Dark$/ }).click();
  await expect(html).toHaveClass(/\bdark\b/);
  // When <body> is first inserted (nothing painted yet), the inline script has already chosen the theme.
  const seen: string[] = [];
  await page.exposeFunction("reportTheme", (cls: string) => seen.push(cls));
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.body) return;
      observer.disconnect();
      (window as unknown as { reportTheme: (c: string) => void }).reportTheme(document.documentElement.className);
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`/t/${slug}/settings`);
  await expect.poll(() => seen[0]).toMatch(/\bdark\b/);
  await settle(page);
  await expect(page.getByRole("radio", { name: "Dark" })).toBeChecked();
  await page.locator("label").filter({ hasText: /^System$/ }).click();
  await expect(page.getByRole("radio", { name: "System" })).toBeChecked();
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(html).toHaveClass(/\bdark\b/);
});

test("a console cookie saved before sign-out is refused after it", async ({ page, context, playwright, baseURL }) => {
  const slug = await signUp(page, "signout");
  const saved = await context.storageState();
  const me = async () => {
    const api = await playwright.request.newContext({ baseURL, storageState: saved });
    const res = await api.get("/api/v1/me", { headers: { "x-burrow-tenant": slug } });
    await api.dispose();
    return res.status();
  };
  expect(await me()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/, { timeout: 30_000 });
  expect(await me()).toBe(401);

  // The saved cookie does not open the console's pages either.
  await context.addCookies(saved.cookies);
  await page.goto(`/t/${slug}`);
  await expect(page).toHaveURL(/\/signin/, { timeout: 30_000 });
});
