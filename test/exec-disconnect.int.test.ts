// An exec whose client disconnects is stopped: a real runner with real runc, the exec route behind
// a real HTTP socket (test/route-server.ts, which aborts and cancels as Next does). The client
// starts a long-running command, reads until it has started, and disconnects: the process is gone
// from the sandbox within a bounded poll, the log ends with the reason, and the audit row is kept.
import { afterAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import { db } from "@/lib/db/client";
import { call } from "./helpers";
import { startRouteServer, type RouteServer } from "./route-server";
import { runningSessionOn, useRunnerAndTenant } from "./runner-process";

const env = useRunnerAndTenant();
const servers: RouteServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The command lines of the sandbox's processes, read by a second exec. */
async function processes(id: string): Promise<string[]> {
  const res = await call(execRoute.POST, {
    method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id },
    body: { command: ["sh", "-c", "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done"] },
  });
  return String(res.body.stdout).split("\n").map((l) => l.trim());
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, tries = 100, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v) return v;
    await sleep(everyMs);
  }
  throw new Error(`${what} did not happen; runner output:\n${env.runner.output().slice(-2000)}`);
}

/** Starts `sleep <marker>` through the exec route over HTTP, waits until it runs, then disconnects. */
async function startAndDisconnect(id: string, marker: string, accept: string) {
  const server = await startRouteServer({ [`/api/v1/sessions/${id}/exec`]: (req) => execRoute.POST(req, { params: Promise.resolve({ id }) }) });
  servers.push(server);
  const client = new AbortController();
  const answer = fetch(`${server.url}/api/v1/sessions/${id}/exec`, {
    method: "POST", signal: client.signal,
    headers: { authorization: `Bearer ${env.tenant.key}`, accept, "content-type": "application/json" },
    body: JSON.stringify({ command: ["sh", "-c", `echo started; exec sleep ${marker}`], timeoutMs: 600_000 }),
  }).catch((e: Error) => e);
  if (accept === "text/event-stream") {
    // Read the stream until the command said it started.
    const reader = ((await answer) as Response).body!.getReader();
    let text = "";
    while (!text.includes("started")) {
      const r = await reader.read();
      if (r.done) throw new Error(`stream ended early: ${text}`);
      text += new TextDecoder().decode(r.value);
    }
  } else {
    // A blocking exec answers only at its end: the process list says when it runs.
    await until("the sleep starting", async () => (await processes(id)).includes(`sleep ${marker}`));
  }
  client.abort();
  await answer;
}

async function assertStopped(id: string, marker: string) {
  // Gone from the sandbox...
  await until("the process being killed", async () => !(await processes(id)).includes(`sleep ${marker}`));
  // ...its log ends with why...
  const command = `$ sh -c 'echo started; exec sleep ${marker}'`;
  const rows = await until("the exec's end line", async () => {
    const start = await db().sessionLogLine.findFirst({ where: { sessionId: id, line: command } });
    if (!start) return null;
    const rows = await db().sessionLogLine.findMany({ where: { sessionId: id, source: start.source }, orderBy: { seq: "asc" } });
    return rows.at(-1)?.stream === "system" && rows.length > 1 ? rows : null;
  });
  expect(rows.map((r) => r.line)).toEqual([command, "started", expect.stringMatching(/^exit 137 in \d+ ms \(killed: client disconnected\)$/)]);
  // ...and the audit row is written, with the exec's id.
  const audit = await until("the audit row", () =>
    db().auditEvent.findFirst({ where: { tenantId: env.tenant.id, action: "session.exec", targetId: id, metadata: { path: ["command"], equals: `sh -c echo started; exec sleep ${marker}` } } }),
  );
  expect(audit.metadata).toMatchObject({ clientDisconnected: true, execId: rows[0].source });
}

describe("exec client disconnect", () => {
  it("a streaming (SSE) exec whose client disconnects is killed, logged and audited", async () => {
    const id = await runningSessionOn(env);
    await startAndDisconnect(id, "4321", "text/event-stream");
    await assertStopped(id, "4321");
  }, 120_000);

  it("a blocking exec whose client disconnects is killed, logged and audited", async () => {
    const id = await runningSessionOn(env);
    await startAndDisconnect(id, "4322", "application/json");
    await assertStopped(id, "4322");
  }, 120_000);
});
