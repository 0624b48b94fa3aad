import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";

/** A short suffix that keeps emails and tenant slugs unique across tests and runs. */
export function uniqueId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Fills the sign-up form on the current page and submits it; returns the derived tenant slug. */
export async function fillSignUp(page: Page, { email, tenantName }: { email: string; tenantName: string }): Promise<string> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Tenant name", { exact: true }).fill(tenantName);
  const slug = await page.getByLabel("Tenant slug", { exact: true }).inputValue();
  expect(slug).toMatch(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/);
  await page.getByRole("button", { name: "Create account" }).click();
  return slug;
}

/** Follows a console nav link and waits until its page is the one shown (client-side navigation). */
export async function openNav(page: Page, name: string) {
  const link = page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });
  const href = await link.getAttribute("href");
  await link.click();
  if (href) await page.waitForURL((url) => url.pathname === href);
}

/** Opens a tab of the session page (Overview, Logs, Terminal, …) and waits until its panel shows. */
export async function openSessionTab(page: Page, name: string) {
  const tab = page.getByRole("tablist", { name: "Session" }).getByRole("tab", { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel", { name })).toBeVisible();
}

/**
 * Runs axe-core on the page as shown and fails on every serious or critical violation, naming the
 * rule, what it means and the first elements it found (moderate and minor ones are not counted).
 */
export async function expectNoSeriousA11yViolations(page: Page, where = page.url()) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`).join(" | ")}`);
  expect(serious, `accessibility violations on ${where}`).toEqual([]);
}
