// A session's network from the console: started with an egress policy from the new-session form
// (a bad entry named by its list and line, nothing created), the policy changed live on the
// session's Network tab, and the tenant's default network in Settings; each checked through the API.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations, fillSignUp, openNav, openSessionTab, uniqueId } from "./helpers";

test("start a session with an egress policy, change it live on its Network tab, and set the tenant's default", async ({ page }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `network-${id}@example.com`, tenantName: `Network ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`, { timeout: 60_000 });
  const headers = { "x-burrow-tenant": slug };

  await openNav(page, "Sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  await page.getByLabel("Network", { exact: true }).selectOption("policy");
  await page.getByLabel("Everything else").selectOption("deny");
  await page.getByLabel("Allowed", { exact: true }).fill("pypi.org\n\nnot a domain!");
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByText('Allowed, line 3: "not a domain!" must be an IP address')).toBeVisible();
  expect((await (await page.request.get("/api/v1/sessions", { headers })).json()).data).toEqual([]);

  // Changing the list clears its message; a good policy starts the session.
  await page.getByLabel("Allowed", { exact: true }).fill("pypi.org\n*.pythonhosted.org");
  await expect(page.getByText("not a domain!")).toHaveCount(0);
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/sessions/ses_[0-9A-Z]{26}$`));
  const sessionId = page.url().split("/").pop()!;
  const stored = async () => (await (await page.request.get(`/api/v1/sessions/${sessionId}`, { headers })).json()).network;
  expect(await stored()).toEqual({ egress: "deny", allowOut: ["pypi.org", "*.pythonhosted.org"], denyOut: [] });

  await openSessionTab(page, "Network");
  const panel = page.getByRole("tabpanel", { name: "Network" });
  await expect(panel.getByTestId("network-summary")).toHaveText("Internet denied, 2 allowed");
  await expect(panel.getByLabel("Allowed", { exact: true })).toHaveValue("pypi.org\n*.pythonhosted.org");
  await panel.getByLabel("Denied", { exact: true }).fill("evil.example.com\n203.0.113.0/24");
  await panel.getByRole("button", { name: "Apply policy" }).click();
  await expect(panel.getByTestId("network-summary")).toHaveText("Internet denied, 2 allowed, 2 denied");
  expect(await stored()).toEqual({ egress: "deny", allowOut: ["pypi.org", "*.pythonhosted.org"], denyOut: ["evil.example.com", "203.0.113.0/24"] });
  // A server started in the sandbox shows as a port with its preview URL; a preview link carries
  // a token; making the port public is what the API then says.
  const started = await page.request.post(`/api/v1/sessions/${sessionId}/exec`, {
    headers, data: { command: ["sh", "-c", "nohup python3 -m http.server 8080 >/dev/null 2>&1 &"] },
  });
  expect(started.status()).toBe(200);
  const port = panel.locator('[data-testid="port-row"][data-port="8080"]');
  await expect(port).toContainText(`8080-${sessionId.toLowerCase()}.`, { timeout: 30_000 });
  await port.getByRole("button", { name: "Preview link" }).click();
  await expect(port.getByTestId("preview-link")).toHaveAttribute("href", /[?&]burrow_preview_token=bpt_/);
  await port.getByRole("button", { name: "Make public" }).click();
  await expect(port).toContainText("Public");
  const ports = await (await page.request.get(`/api/v1/sessions/${sessionId}/ports`, { headers })).json();
  expect(ports.data.find((p: { port: number }) => p.port === 8080)).toMatchObject({ public: true, listening: true, reachable: true });

  // Its traffic: the egress meter's bytes and the flight recorder's events (refreshed while it runs).
  await expect(panel.getByTestId("session-network-bytes")).toContainText("Sent (egress)");
  await expectNoSeriousA11yViolations(page, "the Network tab");
  // The change is in the audit log as the person who made it.
  const audit = await (await page.request.get("/api/v1/audit-log", { headers, params: { action: "session.network_changed" } })).json();
  const change = audit.data.find((e: { target: { id: string } | null }) => e.target?.id === sessionId);
  expect(change.actor).toMatchObject({ type: "user", label: `network-${id}@example.com` });

  // The tenant's default: sessions created without a network of their own (or their template's) get it.
  await openNav(page, "Settings");
  const form = page.getByRole("form", { name: "Default network" });
  await expect(form.getByLabel("Sessions get")).toHaveValue("none");
  await form.getByLabel("Sessions get").selectOption("policy");
  await form.getByLabel("Denied", { exact: true }).fill("evil.example.com");
  await form.getByRole("button", { name: "Save default network" }).click();
  await expect(page.getByText("New sessions get: internet allowed, 1 denied.")).toBeVisible();
  const tenant = await (await page.request.get("/api/v1/tenant", { headers })).json();
  expect(tenant.network).toEqual({ egress: "allow", allowOut: [], denyOut: ["evil.example.com"] });
  const created = await page.request.post("/api/v1/sessions", { headers, data: { template: "base" } });
  expect(created.status()).toBe(201);
  const second = (await created.json()) as { id: string; network: unknown };
  expect(second.network).toEqual({ egress: "allow", allowOut: [], denyOut: ["evil.example.com"] });

  // A template's default wins over the tenant's.
  await openNav(page, "Templates");
  const create = page.getByRole("form", { name: "Create template" });
  await create.getByLabel("Template name").fill(`offline-${id}`);
  await create.getByLabel("Network", { exact: true }).selectOption("none");
  await create.getByRole("button", { name: "Create template" }).click();
  await expect(page.getByText(`Template “offline-${id}” created.`)).toBeVisible();
  const fromTemplate = await page.request.post("/api/v1/sessions", { headers, data: { template: `offline-${id}` } });
  expect(fromTemplate.status()).toBe(201);
  const third = (await fromTemplate.json()) as { id: string; network: unknown };
  expect(third.network).toBe("none");

  // Leave no sandbox or network behind: the runner removes a sandbox's namespace, veth and rules
  // when it terminates it, which a server stopped right after the DELETE would not get to.
  for (const s of [sessionId, second.id, third.id]) {
    expect((await page.request.delete(`/api/v1/sessions/${s}`, { headers })).status()).toBe(200);
    await expect.poll(async () => (await (await page.request.get(`/api/v1/sessions/${s}`, { headers })).json()).state, { timeout: 30_000 }).toBe("terminated");
  }
});
