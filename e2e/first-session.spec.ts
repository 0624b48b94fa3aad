import { execFileSync } from "node:child_process";
import { expect as baseExpect, test } from "@playwright/test";
import { fillSignUp, openNav, uniqueId } from "./helpers";

// Each test opens many pages for the first time; under E2E_DEV (next dev) each compiles on first load.
// On a busy machine a first load can take over a minute.
const expect = baseExpect.configure({ timeout: 150_000 });
test.describe.configure({ timeout: 600_000 });

test("the first hour: sign up, start the first session from the Overview, run a command; the Overview's snippet runs as written", async ({ page }) => {
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `first-${id}@example.com`, tenantName: `First ${id}` });
  // The first sign-in of a run compiles the auth routes and the console under next dev.
  await expect(page).toHaveURL(`/t/${slug}`, { timeout: 360_000 });

  await page.getByTestId("first-session-callout").getByRole("button", { name: "Start your first session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  await expect(page.getByTestId("session-state")).toHaveText("running");
  await page.getByLabel("Command", { exact: true }).fill("echo hello-first-session");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByTestId("exec-exit").first()).toContainText("exit 0");
  await expect(page.getByTestId("exec-output")).toContainText("hello-first-session");

  // Back on the Overview the tenant has a session, so the call to start one is gone; the snippet
  // gets a key made on the spot and, pasted into a shell, creates, runs `echo hello` and ends a session.
  await openNav(page, "Overview");
  await expect(page.getByRole("link", { name: "Sessions", exact: true }).first()).toBeVisible();
  await expect(page.getByTestId("first-session-callout")).toHaveCount(0);
  const snippet = page.getByTestId("curl-example");
  await expect(snippet).toContainText(`export BURROW_URL='${new URL(page.url()).origin}'`);
  await expect(snippet).toContainText("BURROW_API_KEY:?");
  await page.getByRole("button", { name: "Create a key for this snippet" }).click();
  await expect(page.getByTestId("snippet-key-note")).toBeVisible();
  await expect(snippet).toContainText(/export BURROW_API_KEY='bur_[0-9A-Za-z]{43}'/);
  const output = execFileSync("sh", ["-c", (await snippet.textContent()) ?? ""], { encoding: "utf8", timeout: 60_000 });
  expect(output).toMatch(/session: ses_[0-9A-Z]{26}/);
  expect(output).toContain(`"stdout":"hello\\n"`);
  expect(output.trim().split("\n").pop()).toBe("200");
});

test("a member joins by invitation, sees only the pages their role can use, and creates a key limited to their scopes", async ({ page, browser, request }) => {
  const id = uniqueId();
  const ownerEmail = `owner-${id}@example.com`;
  const tenantName = `Roles ${id}`;
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: ownerEmail, tenantName });
  await expect(page).toHaveURL(`/t/${slug}`);
  const ownerNav = page.getByRole("navigation", { name: "Console" });
  await expect(ownerNav.getByRole("link", { name: "Audit log" })).toBeVisible();

  await openNav(page, "Members");
  await page.getByLabel("Invite role").selectOption("member");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const inviteUrl = (await page.getByTestId("new-invite-url").textContent())?.trim() ?? "";
  expect(inviteUrl).toMatch(/\/invite\/inv_/);

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  // The invitation names the tenant, the role and who invited, before and after signing up.
  await member.goto(inviteUrl);
  const expectSummary = async () => {
    await expect(member.getByTestId("invitation-tenant")).toContainText(tenantName);
    await expect(member.getByTestId("invitation-role")).toHaveText("member");
    await expect(member.getByTestId("invitation-inviter")).toHaveText(ownerEmail);
  };
  await expectSummary();
  await member.getByRole("link", { name: "Create an account" }).click();
  await fillSignUp(member, { email: `member-${id}@example.com`, tenantName: `Member ${id}` });
  await expect(member).toHaveURL(/\/invite\/inv_/);
  await expectSummary();
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member).toHaveURL(new RegExp(`/t/${slug}$`));

  // The nav shows what a member can use and hides the audit log (admin only).
  const nav = member.getByRole("navigation", { name: "Console" });
  await expect(nav.getByRole("link", { name: "Sessions" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "API keys" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit log" })).toHaveCount(0);

  // The key form offers only the member's scopes; the key works within them and gets 403 beyond.
  await openNav(member, "API keys");
  await expect(member.getByLabel("sessions:write", { exact: true })).toBeVisible();
  await expect(member.getByLabel("admin", { exact: true })).toHaveCount(0);
  // A form error in words, cleared when the field changes.
  await member.getByRole("button", { name: "Create key" }).click();
  await expect(member.locator("#key-name-error")).toHaveText("Key name is required");
  await member.getByLabel("Key name").fill("member agent");
  await expect(member.locator("#key-name-error")).toHaveCount(0);
  await member.getByLabel("sessions:read", { exact: true }).check();
  await member.getByLabel("sessions:write", { exact: true }).check();
  await member.getByRole("button", { name: "Create key" }).click();
  const secret = (await member.getByTestId("new-key-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^bur_[0-9A-Za-z]{43}$/);
  await expect(member.getByTestId("api-key-row").filter({ hasText: "member agent" })).toBeVisible();

  const auth = { Authorization: `Bearer ${secret}` };
  const me = await request.get("/api/v1/me", { headers: auth });
  expect((await me.json()).scopes).toEqual(["sessions:read", "sessions:write"]);
  expect((await request.get("/api/v1/sessions", { headers: auth })).status()).toBe(200);
  const auditLog = await request.get("/api/v1/audit-log", { headers: auth });
  expect(auditLog.status()).toBe(403);
  expect((await auditLog.json()).error.code).toBe("forbidden");

  // Asking the API directly for a scope beyond the role is refused with a 403 that says why.
  const beyond = await member.request.post("/api/v1/api-keys", {
    headers: { "x-burrow-tenant": slug }, data: { name: "too much", scopes: ["admin"] },
  });
  expect(beyond.status()).toBe(403);
  expect((await beyond.json()).error.message).toContain("Your role (member) cannot grant the scope(s): admin");
  await memberContext.close();
});
