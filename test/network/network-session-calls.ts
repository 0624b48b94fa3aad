// The calls the network tests make on a test tenant's sessions: create one on the test's runner
// (no idle policy, so nothing sleeps under the test) and run a shell script in it.
import { expect } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { call } from "../helpers";

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
  return { create, sh };
}
