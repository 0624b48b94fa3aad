// The console's lists as a person uses them: the sessions list on a phone (every row's state in
// view, no sideways scrolling) and its search; a template imported from an OCI archive with the
// upload's progress and the import's log.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { buildBusyboxOciLayout, tarOciLayout } from "../test/oci-images";
import { fillSignUp, openNav, uniqueId } from "./helpers";

const PHONE = { width: 390, height: 844 };

test.describe("on a phone", () => {
  test.use({ viewport: PHONE });

  test("the sessions list shows each session's state without scrolling sideways, and search narrows it", async ({ page }) => {
    test.setTimeout(120_000);
    const id = uniqueId();
    await page.goto("/signup");
    const slug = await fillSignUp(page, { email: `lists-${id}@example.com`, tenantName: `Lists ${id}` });
    await expect(page).toHaveURL(`/t/${slug}`, { timeout: 60_000 }); // next dev compiles pages on first use

    const headers = { "x-burrow-tenant": slug };
    const create = async (labels: Record<string, string>) => {
      const res = await page.request.post("/api/v1/sessions", { headers, data: { template: "base", labels } });
      expect(res.status()).toBe(201);
      return (await res.json()).id as string;
    };
    const alpha = await create({ team: `alpha-${id}` });
    const beta = await create({ team: "beta" });
    expect((await page.request.delete(`/api/v1/sessions/${beta}`, { headers })).status()).toBe(200);

    await page.goto(`/t/${slug}/sessions`);
    const rows = page.getByTestId("session-row");
    await expect(rows).toHaveCount(2, { timeout: 60_000 });
    for (const sessionId of [alpha, beta]) {
      const state = page.locator(`[data-session-id="${sessionId}"]`).getByTestId("session-state");
      await expect(state).toBeVisible();
      await expect(state).toHaveText(/^(pending|starting|running|terminating|terminated)$/);
      // Within the screen's width as laid out (rows below the fold are fine; sideways is not).
      const box = await state.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    }
    // Neither the page nor the table scrolls sideways.
    const overflow = await page.evaluate(() => {
      const table = document.querySelector('[role="region"][aria-label="Sessions"]') as HTMLElement;
      return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, table: table.scrollWidth - table.clientWidth };
    });
    expect(overflow).toEqual({ page: 0, table: 0 });

    await page.getByLabel("Search", { exact: true }).fill(`ALPHA-${id}`);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-session-id", alpha);
    await page.getByLabel("Search", { exact: true }).fill(beta.slice(-10));
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-session-id", beta);
    await page.getByLabel("Search", { exact: true }).fill(`no-such-${id}`);
    await expect(page.getByText("No sessions match")).toBeVisible();
  });
});

test("imports a template from an OCI archive with upload progress and the import's log", async ({ page }) => {
  test.setTimeout(120_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-e2e-import-"));
  try {
    buildBusyboxOciLayout(work);
    const archive = tarOciLayout(work);
    const id = uniqueId();
    await page.goto("/signup");
    const slug = await fillSignUp(page, { email: `import-${id}@example.com`, tenantName: `Import ${id}` });
    await expect(page).toHaveURL(`/t/${slug}`, { timeout: 60_000 }); // next dev compiles pages on first use
    await openNav(page, "Templates");
    const importCard = page.getByRole("region", { name: "Import an image" });
    await expect(importCard.getByLabel("Image archive", { exact: true })).toBeVisible({ timeout: 60_000 });

    await importCard.getByLabel("Template name", { exact: true }).fill(`busy-${id.slice(-6)}`);
    await importCard.getByLabel("Image archive", { exact: true }).setInputFiles(archive);
    // The upload (XMLHttpRequest upload events) reaches 100 %, then the page says the server is
    // unpacking until its answer. On a quiet machine the server's part takes about 0.1 s, less than
    // an assertion's polling interval, so what the card showed on the way is recorded as it renders
    // (page.route() cannot hold the answer: Chromium fires no upload events for an intercepted request).
    await importCard.evaluate((card) => {
      const seen = ((window as unknown as { importSeen: string[] }).importSeen = [] as string[]);
      const look = () => {
        const bar = card.querySelector('[role="progressbar"]');
        if (bar) seen.push(`progress ${bar.getAttribute("aria-valuenow")}`);
        if (card.textContent?.includes("Uploaded; unpacking the image on the server…")) seen.push("unpacking");
      };
      new MutationObserver(look).observe(card, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await importCard.getByRole("button", { name: "Import", exact: true }).click();

    const log = page.getByTestId("import-log-entry");
    await expect(log).toHaveCount(7, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { importSeen: string[] }).importSeen);
    expect(seen).toContain("progress 100");
    expect(seen.indexOf("unpacking")).toBeGreaterThan(seen.indexOf("progress 100"));
    expect(await log.evaluateAll((els) => els.map((e) => e.getAttribute("data-step")))).toEqual(["upload", "detect", "convert", "config", "unpack", "check", "template"]);
    await expect(log.filter({ hasText: "oci-archive" })).toHaveCount(1);
    await expect(page.getByRole("progressbar", { name: "Upload" })).toBeHidden();
    await expect(page.getByRole("region", { name: "Templates" }).getByText(`busy-${id.slice(-6)}`, { exact: true })).toBeVisible();
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
