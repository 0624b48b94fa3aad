import { expect, test } from "@playwright/test";
import { fillSignUp, openNav, uniqueId } from "./helpers";

test("sign up, create a key, use it, revoke it", async ({ page, request }) => {
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `owner-${id}@example.com`, tenantName: `Keys ${id}` });

  await expect(page).toHaveURL(`/t/${slug}`);
  await expect(page.getByRole("heading", { level: 1, name: `Keys ${id}` })).toBeVisible();

  await openNav(page, "API keys");
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
  await expect(page.getByText("No API keys yet")).toBeVisible();

  await page.getByLabel("Key name").fill("e2e reader");
  await page.getByLabel("sessions:read", { exact: true }).check();
  await page.getByRole("button", { name: "Create key" }).click();

  const secretPanel = page.getByTestId("new-key-secret");
  await expect(secretPanel).toBeVisible();
  const secret = (await secretPanel.textContent())?.trim() ?? "";
  expect(secret).toMatch(/^bur_\S{30,}$/);

  const row = page.getByTestId("api-key-row").filter({ hasText: "e2e reader" });
  await expect(row.getByText("active", { exact: true })).toBeVisible();

  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  const body = await me.json();
  expect(body.tenant.slug).toBe(slug);
  expect(body.actor.type).toBe("key");
  expect(body.scopes).toEqual(["sessions:read"]);

  await row.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("e2e reader");
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText("revoked", { exact: true })).toBeVisible();

  const after = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("unauthorized");

  // The audit log shows the sign-in and both key actions, newest first.
  await openNav(page, "Audit log");
  const actions = page.getByTestId("audit-row").locator("code").filter({ hasText: /^(auth|api_key)\./ });
  await expect(actions).toHaveText(["api_key.revoked", "api_key.created", "auth.sign_in"]);
});

test("an invited person signs up through the link and shows up as a member", async ({ page, browser }) => {
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `owner-${id}@example.com`, tenantName: `Team ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);

  await openNav(page, "Members");
  await page.getByLabel("Invite role").selectOption("member");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const inviteUrl = (await page.getByTestId("new-invite-url").textContent())?.trim() ?? "";
  expect(inviteUrl).toMatch(/\/invite\/inv_/);
  await expect(page.getByTestId("invitation-row")).toHaveCount(1);

  // The invitee has their own browser: no cookies from the owner.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  const inviteeEmail = `invitee-${id}@example.com`;
  await invitee.goto(inviteUrl);
  await invitee.getByRole("link", { name: "Create an account" }).click();
  await expect(invitee).toHaveURL(/\/signup\?callbackUrl=/);
  await fillSignUp(invitee, { email: inviteeEmail, tenantName: `Invitee ${id}` });

  await expect(invitee).toHaveURL(/\/invite\/inv_/);
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/t/${slug}$`));
  await expect(invitee.getByTestId("my-role")).toHaveText("member");

  await openNav(invitee, "Members");
  const inviteeRow = invitee.getByTestId("member-row").filter({ hasText: inviteeEmail });
  await expect(inviteeRow).toBeVisible();
  await expect(inviteeRow.getByText("you", { exact: true })).toBeVisible();
  await inviteeContext.close();

  // The owner sees the new member, and the used invitation is no longer pending.
  await page.reload();
  await expect(page.getByTestId("member-row").filter({ hasText: inviteeEmail })).toBeVisible();
  await expect(page.getByLabel(`Role for ${inviteeEmail}`)).toHaveValue("member");
  await expect(page.getByText("No pending invitations")).toBeVisible();
});
