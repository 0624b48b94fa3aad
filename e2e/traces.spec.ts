// A real OpenTelemetry SDK exporter sends spans for a session; they show up in the session's
// Traces tab and in the trace waterfall, and clicking a span shows its attributes and events.
import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { expect, test } from "@playwright/test";
import { fillSignUp, openNav, uniqueId } from "./helpers";

test("spans exported for a session appear in its waterfall; a click shows a span's attributes", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const id = uniqueId();
  await page.goto("/signup");
  const slug = await fillSignUp(page, { email: `traces-${id}@example.com`, tenantName: `Traces ${id}` });
  await expect(page).toHaveURL(`/t/${slug}`);

  // The signed-in user's cookie makes a session and a telemetry key, as the console would.
  const headers = { "x-burrow-tenant": slug };
  const session = await page.request.post("/api/v1/sessions", { headers, data: { template: "base" } });
  expect(session.status()).toBe(201);
  const sessionId = (await session.json()).id as string;
  const key = await page.request.post("/api/v1/api-keys", { headers, data: { name: "agent", scopes: ["telemetry:write"] } });
  expect(key.status()).toBe(201);
  const secret = (await key.json()).secret as string;

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "e2e-agent", "session.id": sessionId }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${baseURL}/api/otlp/v1/traces`, headers: { Authorization: `Bearer ${secret}` } }))],
  });
  const tracer = provider.getTracer("e2e");
  const root = tracer.startSpan("agent.plan");
  const child = tracer.startSpan("tool.fetch_weather", { attributes: { "tool.city": "Lisbon", "tool.attempts": 2 } }, trace.setSpan(context.active(), root));
  child.addEvent("cache.miss");
  await new Promise((r) => setTimeout(r, 20));
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  const traceId = root.spanContext().traceId;

  // The session page's Traces tab holds the agent's spans next to the platform's own.
  await page.goto(`/t/${slug}/sessions/${sessionId}?tab=traces`);
  const timeline = page.getByRole("region", { name: "Spans" });
  await expect(timeline.getByTestId("timeline-span").filter({ hasText: "tool.fetch_weather" })).toBeVisible({ timeout: 15_000 });

  // The traces list, filtered to the session, links to the waterfall.
  await openNav(page, "Traces");
  await page.getByLabel("Session", { exact: true }).fill(sessionId);
  const row = page.getByTestId("trace-row").filter({ hasText: traceId });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await row.getByRole("link", { name: "agent.plan" }).click();
  await expect(page).toHaveURL(`/t/${slug}/traces/${traceId}`);

  const rows = page.getByTestId("waterfall-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("agent.plan");
  await expect(rows.nth(1)).toContainText("tool.fetch_weather");
  await rows.nth(1).click();
  const details = page.getByTestId("span-details");
  await expect(details).toBeVisible();
  await expect(details.getByRole("heading", { name: "tool.fetch_weather" })).toBeVisible();
  await expect(details.getByTestId("span-attribute").filter({ hasText: "tool.city" })).toContainText("Lisbon");
  await expect(details.getByTestId("span-attribute").filter({ hasText: "tool.attempts" })).toContainText("2");
  await expect(details.getByTestId("span-event")).toContainText("cache.miss");
  await expect(details.getByRole("link", { name: sessionId })).toBeVisible();

  await page.request.delete(`/api/v1/sessions/${sessionId}`, { headers });
});
