// Fixtures for the billing tests: metered usage written straight into usage_hours (as the rollup
// would), a runner that only declares capacity, and sessions created through the API.
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { registerRunner } from "@/lib/runners/runner-registry";
import type { Meter } from "@/lib/usage/meters";
import { call, uniqueSlug } from "./helpers";

export type UsageRow = { meter: Meter; hour: Date; quantity: string; apiKeyId?: string | null; dimension?: string };

/** Rows under made-up subject ids: no session or snapshot has them, so a concurrent rollup never rewrites them. */
export async function insertUsage(tenantId: string, rows: UsageRow[]) {
  await db().usageHour.createMany({
    data: rows.map((r) => ({
      subjectId: `test_${newId("ses")}`, meter: r.meter, hour: r.hour, tenantId, sessionId: null, templateName: "base",
      apiKeyId: r.apiKeyId ?? null, dimension: r.dimension ?? "", quantity: r.quantity,
    })),
  });
}

export async function testPool(): Promise<string> {
  const pool = uniqueSlug("pool");
  await registerRunner({
    name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test", vcpu: 64, memoryMib: 262_144, gpus: 0, labels: { pool }, capabilities: {},
  });
  return pool;
}

export const createSession = (key: string, pool: string) =>
  call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key, body: { pool, resources: { vcpu: 0.25, memoryMib: 64 } } });

/** A session created through the API, then marked as the runner would have it. */
export async function sessionIn(key: string, pool: string, state: "running" | "paused" | "hibernated") {
  const res = await createSession(key, pool);
  if (res.status !== 201) throw new Error(`creating a session answered ${res.status}: ${JSON.stringify(res.body)}`);
  await db().session.update({
    where: { id: res.body.id },
    data: { state, desiredState: state, ...(state === "hibernated" ? { runnerId: null } : {}) },
  });
  return res.body.id as string;
}
