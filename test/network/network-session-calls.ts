// The calls the network tests make on a test tenant's sessions: create one on the test's runner
// (no idle policy unless the body gives one, so nothing sleeps under the test), run a shell script
// in it, make a preview token for it, and read its egress off the bill.
import { expect } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as tokensRoute from "@/app/api/v1/sessions/[id]/preview-tokens/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as usageRoute from "@/app/api/v1/usage/route";
import { rollupUsageJob } from "@/lib/usage";
import { parseQuantity } from "@/lib/usage/quantity";
import { call, type TestTenant } from "../helpers";

/** `target` is read at each call: the tenant and runner are made in beforeAll. */
export function networkSessionCalls(target: () => { key: string; pool: string }, execTimeoutMs: number) {
  const create = (body: Record<string, unknown>) =>
    call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key: target().key,
      body: { pool: target().pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null }, ...body },
    });
  const sh = async (id: string, script: string) => {
    const res = await call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: target().key, params: { id }, body: { command: ["sh", "-c", script], timeoutMs: execTimeoutMs } });
    expect(res.status).toBe(200);
    return res.body as { exitCode: number; stdout: string; stderr: string; durationMs: number };
  };
  const previewToken = async (id: string, body: Record<string, unknown> = {}) => {
    const res = await call(tokensRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/preview-tokens`, key: target().key, params: { id }, body });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  return { create, sh, previewToken };
}

type UsageRow = { key: string; meter: string; quantity: string; amountCents: number };

/**
 * The session's `network_egress_gib` as `GET /api/v1/usage` bills it after a usage rollup of its
 * tenant only (never another test file's), summed in micro-GiB, with the rows it came from.
 */
export async function billedEgress(tenant: TestTenant, sessionId: string): Promise<{ microGib: bigint; rows: UsageRow[] }> {
  await rollupUsageJob({ tenantIds: [tenant.id] });
  const from = new Date(Date.now() - 2 * 3600_000).toISOString();
  const to = new Date(Date.now() + 3600_000).toISOString();
  const usage = await call(usageRoute.GET, { path: `/api/v1/usage?from=${from}&to=${to}&groupBy=session`, key: tenant.key });
  expect(usage.status).toBe(200);
  const rows = (usage.body.data as UsageRow[]).filter((r) => r.key === sessionId && r.meter === "network_egress_gib");
  return { microGib: rows.reduce((a, r) => a + parseQuantity(r.quantity), 0n), rows };
}
