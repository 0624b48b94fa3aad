// What the session routes check before any work starts. A streamed exec (Accept:
// text/event-stream) is refused with its real status and the JSON error shape before any stream
// opens: another tenant's or an unknown session 404, a terminated one 409, a wake over quota 429
// and over the spend limit 402. The runner's own "not here" answers (a session paused or moved
// between the web app's check and the runner call) are 404/409, never a 503 from a TypeError. An
// Idempotency-Key covers an upload's bytes, and is refused on a stream that could not be replayed.
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as filesRoute from "@/app/api/v1/sessions/[id]/files/route";
import { AppError } from "@/lib/api/errors";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { callRunner } from "@/lib/runners/runner-client";
import { call, createTestTenant } from "./helpers";
import { runningSessionOn, useRunnerAndTenant } from "./runner-process";
import { sessionRowIn } from "./session-rows";

const env = useRunnerAndTenant();

async function streamedExec(id: string, key: string, headers: Record<string, string> = {}) {
  const req = new Request(`http://127.0.0.1/api/v1/sessions/${id}/exec`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", "content-type": "application/json", ...headers },
    body: JSON.stringify({ command: ["sh", "-c", "echo hi"] }),
  });
  const res = await execRoute.POST(req, { params: Promise.resolve({ id }) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
}

function expectJsonError(res: Awaited<ReturnType<typeof streamedExec>>, status: number, code: string) {
  expect({ status: res.status, contentType: res.contentType }).toEqual({ status, contentType: "application/json; charset=utf-8" });
  expect(JSON.parse(res.text)).toMatchObject({ error: { code } });
}

describe("streamed exec: every check before the stream opens", () => {
  it("answers 404 for another tenant's session and for an unknown one", async () => {
    const owner = await sessionRowIn("running");
    const other = await createTestTenant();
    expectJsonError(await streamedExec(owner.id, other.key), 404, "not_found");
    expectJsonError(await streamedExec(newId("ses"), other.key), 404, "not_found");
  });

  it("answers 409 for a terminated session", async () => {
    const s = await sessionRowIn("terminated", undefined, { desiredState: "terminated" });
    expectJsonError(await streamedExec(s.id, s.tenant.key), 409, "conflict");
  });

  it("answers 429 when waking would pass the quota, 402 at the spend limit", async () => {
    const overQuota = await sessionRowIn("hibernated", undefined, { desiredState: "hibernated", runnerId: null });
    await db().tenantQuota.create({
      data: { tenantId: overQuota.tenant.id, maxRunningSessions: 0, maxVcpu: 0, maxMemoryMib: 0, maxSnapshotBytes: 0n, maxLifetimeSeconds: 3600 },
    });
    expectJsonError(await streamedExec(overQuota.id, overQuota.tenant.key), 429, "quota_exceeded");

    const overSpend = await sessionRowIn("hibernated", undefined, { desiredState: "hibernated", runnerId: null });
    await db().tenantBilling.create({ data: { tenantId: overSpend.tenant.id, spendLimitCents: 1, spendLimitReachedAt: new Date() } });
    expectJsonError(await streamedExec(overSpend.id, overSpend.tenant.key), 402, "spend_limit_reached");
  });

  it("still streams a real exec's output and exit", async () => {
    const res = await streamedExec(await runningSessionOn(env), env.tenant.key);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/event-stream");
    expect(res.text).toContain('event: output\ndata: {"type":"output","stream":"stdout","data":"hi\\n"}');
    expect(res.text).toMatch(/event: exit\ndata: \{"type":"exit",[^\n]*"exitCode":0/);
  });
});

describe("the runner's answer for a session it does not hold", () => {
  async function runnerAnswer(sessionId: string): Promise<{ status: number; code: string }> {
    const runner = await db().runner.findUniqueOrThrow({ where: { id: env.runner.id } });
    try {
      await callRunner(runner.address, `/internal/sessions/${sessionId}/exec`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: ["true"], timeoutMs: 1000 }),
      });
      return { status: 200, code: "ok" };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { status: err.status, code: err.code };
    }
  }

  it("is 404 for a session on another runner or none, 409 for one paused since the web's check", async () => {
    expect(await runnerAnswer(newId("ses"))).toEqual({ status: 404, code: "not_found" });
    const elsewhere = await sessionRowIn("running");
    expect(await runnerAnswer(elsewhere.id)).toEqual({ status: 404, code: "not_found" });
    // On this runner but paused: what the runner sees when a pause lands between check and call.
    const paused = await sessionRowIn("paused", undefined, { runnerId: env.runner.id, desiredState: "paused" });
    expect(await runnerAnswer(paused.id)).toEqual({ status: 409, code: "conflict" });
  });
});

describe("Idempotency-Key on streams and uploads", () => {
  it("is 400 on a streamed exec, and the command does not run", async () => {
    const id = await runningSessionOn(env);
    expectJsonError(await streamedExec(id, env.tenant.key, { "idempotency-key": "stream-1" }), 400, "invalid_request");
    expect(await db().auditEvent.count({ where: { tenantId: env.tenant.id, action: "session.exec", targetId: id } })).toBe(0);
  });

  it("covers an upload's bytes and path: the same upload replays, another body or path is 409", async () => {
    const id = await runningSessionOn(env);
    const put = (path: string, bytes: string) => call(filesRoute.PUT, {
      method: "PUT", path: `/api/v1/sessions/${id}/files?path=${path}`, key: env.tenant.key, params: { id },
      rawBody: bytes, headers: { "content-type": "application/octet-stream", "idempotency-key": "upload-1" },
    });
    const first = await put("/workspace/a.txt", "first");
    expect(first).toMatchObject({ status: 200, body: { path: "/workspace/a.txt", size: 5 } });
    const replay = await put("/workspace/a.txt", "first");
    expect({ status: replay.status, body: replay.body, replayed: replay.headers.get("idempotent-replayed") }).toEqual({ status: 200, body: first.body, replayed: "true" });
    for (const [path, bytes] of [["/workspace/a.txt", "second"], ["/workspace/b.txt", "first"]]) {
      const other = await put(path, bytes);
      expect(other.status, `${path} ${bytes}`).toBe(409);
      expect(other.body.error.message).toBe("This Idempotency-Key was used for a different request");
    }
    // The file holds the first upload: neither refused request reached the sandbox.
    const read = await filesRoute.GET(new Request(`http://127.0.0.1/api/v1/sessions/${id}/files?path=/workspace/a.txt`, { headers: { authorization: `Bearer ${env.tenant.key}` } }), { params: Promise.resolve({ id }) });
    expect(await read.text()).toBe("first");
  });
});
