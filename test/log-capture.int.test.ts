// Log capture on a real runner with real runc: every exec's stdout and stderr reach session_logs
// as framed lines, with the exec id as source, contiguous sequence numbers and nothing lost.
import { appendFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { call } from "./helpers";
import { startRunner, useRunnerAndTenant } from "./runner-process";

const env = useRunnerAndTenant();

const exec = (id: string, command: string[], extra: Record<string, unknown> = {}) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command, ...extra } });

let shared: string | undefined;
/** One session for the tests that only append (each test reads only its own exec's rows). */
async function session(): Promise<string> {
  if (shared) return shared;
  const res = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
  });
  expect(res.status).toBe(201);
  shared = res.body.id as string;
  return shared;
}

/** The exec's rows once its exit line is committed (the batcher writes within ~50 ms of the exit). */
async function rowsOf(sessionId: string, execId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db().sessionLogLine.findMany({ where: { sessionId, source: execId }, orderBy: { seq: "asc" } });
    if (rows.some((r) => r.stream === "system" && r.line.startsWith("exit "))) return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    if (Date.now() > deadline) throw new Error(`no exit line for ${execId} (${rows.length} rows); runner output:\n${env.runner.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const contiguous = (rows: { seq: number }[]) => rows.every((r, i) => i === 0 || r.seq === rows[i - 1].seq + 1);

describe("log capture", () => {
  it("stores stdout and stderr of an exec the caller did not stream, in order, framed by $ and exit lines", async () => {
    const id = await session();
    const res = await exec(id, ["sh", "-c", "echo out1; echo err1 >&2; printf 'out2\\r\\nout3'; echo err2 >&2; exit 3"]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ exitCode: 3, execId: expect.stringMatching(/^exe_[0-9A-Z]{26}$/) });
    const rows = await rowsOf(id, res.body.execId);
    expect(contiguous(rows)).toBe(true);
    expect(rows[0]).toMatchObject({ stream: "system", line: `$ sh -c 'echo out1; echo err1 >&2; printf '\\''out2\\r\\nout3'\\''; echo err2 >&2; exit 3'` });
    expect(rows.at(-1)).toMatchObject({ stream: "system", line: expect.stringMatching(/^exit 3 in \d+ ms$/) });
    expect(rows.filter((r) => r.stream === "stdout").map((r) => r.line)).toEqual(["out1", "out2", "out3"]);
    expect(rows.filter((r) => r.stream === "stderr").map((r) => r.line)).toEqual(["err1", "err2"]);
    expect(rows.every((r) => r.tenantId === env.tenant.id && r.source === res.body.execId)).toBe(true);
    // Timestamps are arrival times: none before the command started, none after its exit line.
    for (const r of rows) expect(r.at.getTime()).toBeLessThanOrEqual(rows.at(-1)!.at.getTime());
    expect(rows[0].at.getTime()).toBeLessThanOrEqual(rows[1].at.getTime());
  });

  it("captures a streamed exec too, and the exit event carries its exec id", async () => {
    const id = await session();
    const req = new Request(`http://127.0.0.1/api/v1/sessions/${id}/exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tenant.key}`, accept: "text/event-stream", "content-type": "application/json" },
      body: JSON.stringify({ command: ["sh", "-c", "echo live; sleep 0.1; echo done"] }),
    });
    const text = await (await execRoute.POST(req, { params: Promise.resolve({ id }) })).text();
    const execId = /"execId":"(exe_[0-9A-Z]{26})"/.exec(text)?.[1];
    expect(execId).toBeDefined();
    const rows = await rowsOf(id, execId!);
    expect(rows.map((r) => [r.stream, r.line])).toEqual([
      ["system", "$ sh -c 'echo live; sleep 0.1; echo done'"],
      ["stdout", "live"],
      ["stdout", "done"],
      ["system", expect.stringMatching(/^exit 0 in \d+ ms$/)],
    ]);
  });

  it("splits a 100 KB line into pieces of at most 16 KiB and keeps all of it", async () => {
    const id = await session();
    const res = await exec(id, ["python3", "-c", "import sys; sys.stdout.write('0123456789' * 10240 + '\\nend\\n')"]);
    const rows = (await rowsOf(id, res.body.execId)).filter((r) => r.stream === "stdout");
    expect(rows.length).toBe(8); // 102,400 bytes = 6 × 16,384 + 4,096, then "end"
    for (const r of rows) expect(Buffer.byteLength(r.line)).toBeLessThanOrEqual(16 * 1024);
    expect(rows.slice(0, -1).map((r) => r.line).join("")).toBe("0123456789".repeat(10240));
    expect(rows.at(-1)!.line).toBe("end");
    expect(contiguous(rows)).toBe(true);
  });

  it("stores binary output safely (no NUL, invalid bytes replaced) and goes on after it", async () => {
    const id = await session();
    const res = await exec(id, ["sh", "-c", "head -c 4096 /dev/urandom; head -c 64 /dev/zero; printf '\\nafter\\n'"]);
    expect(res.body.exitCode).toBe(0);
    const rows = (await rowsOf(id, res.body.execId)).filter((r) => r.stream === "stdout");
    expect(rows.at(-1)!.line).toBe("after");
    const binary = rows.slice(0, -1).map((r) => r.line).join("\n");
    expect(binary).not.toContain("\u0000");
    expect(binary).toContain("\uFFFD".repeat(64)); // the 64 zero bytes
    expect(rows.length).toBeGreaterThan(1);
  });

  it("keeps 20,000 lines printed at full speed, all in order, with contiguous sequence numbers", async () => {
    const id = await session();
    const res = await exec(id, ["seq", "1", "20000"], { timeoutMs: 60_000 });
    expect(res.body).toMatchObject({ exitCode: 0, truncated: false });
    const rows = await rowsOf(id, res.body.execId, 60_000);
    const out = rows.filter((r) => r.stream === "stdout");
    expect(out).toHaveLength(20_000);
    expect(out.every((r, i) => r.line === String(i + 1))).toBe(true);
    expect(contiguous(rows)).toBe(true);
    expect(rows).toHaveLength(20_002);
  });

  it("logs output beyond the exec's 1 MiB response cap (the response is truncated, the log is not)", async () => {
    const id = await session();
    const res = await exec(id, ["python3", "-c", "import sys\nfor i in range(30000): sys.stdout.write('%06d %s\\n' % (i, 'x' * 40))"], { timeoutMs: 60_000 });
    expect(res.body).toMatchObject({ exitCode: 0, truncated: true });
    const out = (await rowsOf(id, res.body.execId, 60_000)).filter((r) => r.stream === "stdout");
    expect(out).toHaveLength(30_000);
    expect(out.at(-1)!.line).toBe(`029999 ${"x".repeat(40)}`);
  });

  it("captures the main process's stdout and stderr (source main), and a restarted runner goes on without repeating lines", async () => {
    const id = await session();
    const mainRows = async (count: number) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const rows = await db().sessionLogLine.findMany({ where: { sessionId: id, source: "main" }, orderBy: { seq: "asc" } });
        if (rows.length >= count || Date.now() > deadline) return rows.map((r) => [r.stream, r.line]);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // A process inside writing to PID 1's stdout and stderr (appending, as the main process's own
    // descriptors do).
    await exec(id, ["sh", "-c", "echo hello-main >> /proc/1/fd/1; echo oops-main >> /proc/1/fd/2"]);
    expect(await mainRows(2)).toEqual([["stdout", "hello-main"], ["stderr", "oops-main"]]);

    await env.runner.stop();
    // Output while no runner is watching waits in the file.
    appendFileSync(path.join(env.runner.dataDir, "sandboxes", id, "init.out"), "while-down\n");
    env.runner = await startRunner({ name: env.runner.name, pool: env.runner.pool, dataDir: env.runner.dataDir });
    await exec(id, ["sh", "-c", "echo after-restart >> /proc/1/fd/1"]);
    expect(await mainRows(4)).toEqual([["stdout", "hello-main"], ["stderr", "oops-main"], ["stdout", "while-down"], ["stdout", "after-restart"]]);
  });
});
