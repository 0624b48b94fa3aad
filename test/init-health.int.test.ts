// The health of a sandbox's init shows on the session: a real runner with real runc, the init
// stopped from the host (as a tracer inside could have left it before ptrace was refused) shows
// as initHealth "stopped" on GET /sessions/{id}, and null again once it runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as sessionRoute from "@/app/api/v1/sessions/[id]/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { call } from "./helpers";
import { useRunnerAndTenant, waitForSessionState } from "./runner-process";

const env = useRunnerAndTenant();

async function initHealthBecomes(id: string, wanted: string | null) {
  let body: { initHealth?: string | null } = {};
  for (let i = 0; i < 300; i++) {
    const res = await call(sessionRoute.GET, { method: "GET", path: `/api/v1/sessions/${id}`, key: env.tenant.key, params: { id } });
    body = res.body;
    if (body.initHealth === wanted) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`initHealth stayed ${JSON.stringify(body.initHealth)} (wanted ${JSON.stringify(wanted)}); runner output:\n${env.runner.output().slice(-2000)}`);
}

describe("init health", () => {
  it("a stopped init shows on the session as stopped, and clears when it runs again", async () => {
    const res = await call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await waitForSessionState(env.runner, id, "running");
    expect((await initHealthBecomes(id, null)).initHealth).toBeNull();

    const pid = Number(readFileSync(path.join(env.runner.dataDir, "sandboxes", id, "init.pid"), "utf8"));
    process.kill(pid, "SIGSTOP");
    try {
      await initHealthBecomes(id, "stopped");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await initHealthBecomes(id, null);
  }, 120_000);
});
