// A session row in a given state, created through the API and placed on a registered (fake)
// runner, for tests of database-side rules that need no sandbox (idle policy, logs, spans).
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { registerRunner } from "@/lib/runners/runner-registry";
import { call, createTestTenant, uniqueSlug } from "./helpers";

type Idle = { pauseAfterSeconds: number | null; hibernateAfterSeconds: number | null };

export async function sessionRowIn(
  state: string,
  idle: Idle = { pauseAfterSeconds: null, hibernateAfterSeconds: null },
  extra: Record<string, unknown> = {},
  tenant?: Awaited<ReturnType<typeof createTestTenant>>,
) {
  const t = tenant ?? (await createTestTenant());
  const pool = uniqueSlug("pool");
  const runner = await registerRunner({ name: uniqueSlug("runner"), address: "http://127.0.0.1:9", backend: "test", vcpu: 8, memoryMib: 8192, gpus: 0, labels: { pool }, capabilities: {} });
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: t.key, body: { pool, idle } });
  if (res.status !== 201) throw new Error(`creating a session answered ${res.status}: ${JSON.stringify(res.body)}`);
  await db().session.update({ where: { id: res.body.id }, data: { state: state as never, desiredState: state === "paused" ? "paused" : "running", ...extra } });
  return { id: res.body.id as string, runner, tenant: t };
}
