// GET /api/v1/sessions/{id}/logs: JSON pages, filters and the text download; the same URL as
// server-sent events (backlog, live lines, Last-Event-ID resume, slow clients, LISTEN recovery).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import * as logsRoute from "@/app/api/v1/sessions/[id]/logs/route";
import { databaseUrlOrThrow } from "@/lib/env";
import { appendSessionLogs, type NewLogLine } from "@/lib/logs/append-session-logs";
import { tenantDb } from "@/lib/db/tenant-scope";
import { SseLogStream } from "@/lib/logs/follow-session-logs";
import { LogFanout, logFanout } from "@/lib/logs/log-fanout";
import { call, createKey, createTestTenant, sessionCookie } from "./helpers";
import { sessionRowIn } from "./session-rows";
import { openSse, type SseEvent } from "./sse-client";

const line = (text: string, stream: NewLogLine["stream"] = "stdout", at = new Date()): NewLogLine => ({ stream, source: "test", at, line: text });
const lines = (n: number, prefix: string, stream: NewLogLine["stream"] = "stdout") => Array.from({ length: n }, (_, i) => line(`${prefix}-${i + 1}`, stream));
const get = (id: string, query: string, auth: { key?: string; cookie?: string; tenant?: string }) =>
  call(logsRoute.GET, { path: `/api/v1/sessions/${id}/logs${query}`, params: { id }, ...auth });
const follow = (id: string, key: string, query = "", headers: Record<string, string> = {}) =>
  openSse(logsRoute.GET, { path: `/api/v1/sessions/${id}/logs${query}`, id, headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", ...headers } });
const seqs = (events: SseEvent[]) => events.filter((e) => e.event === "message").map((e) => Number(e.id));
const texts = (events: SseEvent[]) => events.filter((e) => e.event === "message").map((e) => JSON.parse(e.data).line as string);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

afterAll(() => logFanout().stop());

describe("log pages", () => {
  it("pages by sequence number with a cursor, afterSeq or tail", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await appendSessionLogs(tenant.id, id, lines(12, "l"));
    const first = await get(id, "?limit=5", { key: tenant.key });
    expect(first.status).toBe(200);
    expect(first.body.data.map((l: { seq: number }) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body.data[0]).toMatchObject({ seq: 1, stream: "stdout", source: "test", line: "l-1" });
    expect(new Date(first.body.data[0].at).toISOString()).toBe(first.body.data[0].at);
    expect(first.body.nextCursor).toBe("5");
    const second = await get(id, `?limit=5&cursor=${first.body.nextCursor}`, { key: tenant.key });
    expect(second.body.data.map((l: { line: string }) => l.line)).toEqual(["l-6", "l-7", "l-8", "l-9", "l-10"]);
    const last = await get(id, `?limit=5&cursor=${second.body.nextCursor}`, { key: tenant.key });
    expect(last.body).toMatchObject({ data: [{ seq: 11 }, { seq: 12 }], nextCursor: null });
    expect((await get(id, "?afterSeq=3&limit=2", { key: tenant.key })).body.data.map((l: { seq: number }) => l.seq)).toEqual([4, 5]);
    expect((await get(id, "?tail=3", { key: tenant.key })).body.data.map((l: { seq: number }) => l.seq)).toEqual([10, 11, 12]);
    // Default page size 500, and a console user reads the same as a key.
    const cookie = await sessionCookie({ userId: tenant.userId, email: tenant.email });
    const asUser = await get(id, "", { cookie, tenant: tenant.slug });
    expect(asUser.status).toBe(200);
    expect(asUser.body.data).toHaveLength(12);
  });

  it("filters by stream, searches case-insensitively with % and _ taken literally, and by time", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    const at = (s: number) => new Date(t0 + s * 1000);
    await appendSessionLogs(tenant.id, id, [
      line("progress 50% done", "stdout", at(0)),
      line("progress 500 done", "stdout", at(1)),
      line("a_b matched", "stderr", at(2)),
      line("axb not matched", "stderr", at(3)),
      line("Hello World", "system", at(4)),
      line("back\\slash", "stdout", at(5)),
    ]);
    const linesOf = async (query: string) => {
      const res = await get(id, query, { key: tenant.key });
      expect(res.status).toBe(200);
      return res.body.data.map((l: { line: string }) => l.line);
    };
    expect(await linesOf("?stream=stderr")).toEqual(["a_b matched", "axb not matched"]);
    expect(await linesOf("?stream=stderr,system")).toEqual(["a_b matched", "axb not matched", "Hello World"]);
    expect(await linesOf(`?q=${encodeURIComponent("50%")}`)).toEqual(["progress 50% done"]);
    expect(await linesOf("?q=a_b")).toEqual(["a_b matched"]);
    expect(await linesOf(`?q=${encodeURIComponent("k\\s")}`)).toEqual(["back\\slash"]);
    expect(await linesOf("?q=hello%20WORLD")).toEqual(["Hello World"]);
    expect(await linesOf(`?from=${at(1).toISOString()}&to=${at(3).toISOString()}`)).toEqual(["progress 500 done", "a_b matched", "axb not matched"]);
    expect(await linesOf(`?from=${encodeURIComponent("2026-01-01T01:00:02+01:00")}&stream=stdout`)).toEqual(["back\\slash"]);
    expect(await linesOf("?q=progress&stream=stdout&limit=1")).toEqual(["progress 50% done"]);
  });

  it("downloads matching lines as text", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await appendSessionLogs(tenant.id, id, [line("one"), line("two", "stderr"), line("three")]);
    const req = new Request(`http://127.0.0.1/api/v1/sessions/${id}/logs?format=text&stream=stdout`, { headers: { authorization: `Bearer ${tenant.key}` } });
    const res = await logsRoute.GET(req, { params: Promise.resolve({ id }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(res.headers.get("content-disposition")).toContain(`${id}.log`);
    const text = await res.text();
    expect(text.trim().split("\n").map((l) => l.replace(/^\S+ (\S+)\s+/, "$1 "))).toEqual(["stdout one", "stdout three"]);
  });

  it("answers 400 for bad parameters, 401 without credentials, 403 without sessions:read, 404 for another tenant's session", async () => {
    const { id, tenant } = await sessionRowIn("running");
    for (const query of ["?limit=0", "?limit=5001", "?stream=stdin", "?stream=", "?from=yesterday", "?afterSeq=-1", "?afterSeq=1&cursor=2",
      "?cursor=abc", `?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`, "?color=red", "?follow=maybe", "?format=html", "?tail=0"]) {
      const res = await get(id, query, { key: tenant.key });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.fields.length, query).toBeGreaterThan(0);
    }
    const badResume = await follow(id, tenant.key, "", { "last-event-id": "abc" });
    expect(badResume.status).toBe(400);
    expect((await get(id, "?follow=true&format=text", { key: tenant.key })).status).toBe(400);

    expect((await get(id, "", {})).status).toBe(401);
    expect((await follow(id, "bur_not_a_real_key_0000000000000000000000000")).status).toBe(401);
    const writeOnly = await createKey(tenant.id, ["sessions:write"]);
    const forbidden = await get(id, "", { key: writeOnly.secret });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("forbidden");
    expect((await follow(id, writeOnly.secret)).status).toBe(403);

    const other = await createTestTenant();
    await appendSessionLogs(tenant.id, id, [line("secret")]);
    for (const res of [await get(id, "", { key: other.key }), await get("ses_00000000000000000000000000", "", { key: tenant.key })]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    const otherFollow = await follow(id, other.key);
    expect(otherFollow.status).toBe(404);
  });
});

describe("live logs (SSE)", () => {
  it("sends the backlog, then live lines as they are committed, with id = seq", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await appendSessionLogs(tenant.id, id, lines(3, "old"));
    const client = await follow(id, tenant.key, "?afterSeq=1");
    expect(client.status).toBe(200);
    expect(client.headers.get("content-type")).toContain("text/event-stream");
    // no-transform keeps the server's gzip (a zlib context per client) off the stream; the wrapper's headers are still there.
    expect(client.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(client.headers.get("x-request-id")).toMatch(/^req_/);
    await client.until((e) => seqs(e).length === 2);
    expect(texts(client.events)).toEqual(["old-2", "old-3"]);
    await appendSessionLogs(tenant.id, id, lines(2, "new"));
    await appendSessionLogs(tenant.id, id, [line("err", "stderr")]);
    await client.until((e) => seqs(e).length === 5);
    expect(seqs(client.events)).toEqual([2, 3, 4, 5, 6]);
    expect(JSON.parse(client.events.at(-1)!.data)).toMatchObject({ seq: 6, stream: "stderr", line: "err" });
    expect(client.comments.length + client.events.length).toBeGreaterThan(0);
    await client.close();
    await expect.poll(() => logFanout().subscriberCount(id)).toBe(0);
  });

  it("resumes from Last-Event-ID with no gap and no duplicate while batches are written concurrently", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const first = await follow(id, tenant.key, "?follow=true");
    const writers = Array.from({ length: 10 }, (_, b) => appendSessionLogs(tenant.id, id, lines(1 + (b % 4), `a${b}`)));
    await Promise.all(writers);
    const firstTotal = (await Promise.all(writers)).reduce((n, r) => Math.max(n, r!.lastSeq), 0);
    await first.until((e) => seqs(e).length === firstTotal);
    expect(seqs(first.events)).toEqual(range(1, firstTotal));
    const seen = seqs(first.events).slice(0, 7);
    await first.close();

    // Reconnect as EventSource does: Last-Event-ID is the last event the client got.
    await appendSessionLogs(tenant.id, id, lines(5, "while-away"));
    const second = await follow(id, tenant.key, "?afterSeq=0", { "last-event-id": String(seen.at(-1)) });
    await Promise.all(Array.from({ length: 5 }, (_, b) => appendSessionLogs(tenant.id, id, lines(3, `b${b}`))));
    const total = firstTotal + 5 + 15;
    await second.until((e) => seqs(e).length === total - 7);
    expect([...seen, ...seqs(second.events)]).toEqual(range(1, total));
    await second.close();
  });

  it("applies stream and search filters to the live lines too", async () => {
    const { id, tenant } = await sessionRowIn("running");
    await appendSessionLogs(tenant.id, id, [line("before", "stderr"), line("before out")]);
    const client = await follow(id, tenant.key, "?stream=stderr&q=WARN");
    await appendSessionLogs(tenant.id, id, [line("warn: out", "stdout"), line("warn: disk", "stderr"), line("fine", "stderr"), line("WARNING", "stderr")]);
    await client.until((e) => seqs(e).length === 2);
    expect(texts(client.events)).toEqual(["warn: disk", "WARNING"]);
    expect(seqs(client.events)).toEqual([4, 6]);
    await client.close();
  });

  it("cuts loose a client that does not read, instead of queueing without bound", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const fanout = logFanout();
    const cutBefore = fanout.stats.cutLoose;
    const slow = await follow(id, tenant.key);
    const reader = await follow(id, tenant.key);
    await expect.poll(() => fanout.subscriberCount(id)).toBe(2);
    // ~3 MiB of lines while `slow` reads nothing; `reader` keeps up.
    const readerDone = reader.until((e) => seqs(e).length === 3000, 20_000);
    const big = "x".repeat(1000);
    for (let b = 0; b < 6; b++) await appendSessionLogs(tenant.id, id, Array.from({ length: 500 }, (_, i) => line(`${b}-${i} ${big}`)));
    await readerDone;
    await expect.poll(() => fanout.subscriberCount(id), { timeout: 10_000 }).toBe(1);
    expect(fanout.stats.cutLoose).toBe(cutBefore + 1);
    const end = await slow.ended();
    expect(end).toBeInstanceOf(Error);
    expect((end as Error).message).toMatch(/too slowly/);
    expect(seqs(reader.events)).toEqual(range(1, 3000));
    await reader.close();
  });

  it("recovers when its LISTEN connection is killed and still delivers every line", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const fanout = logFanout();
    const client = await follow(id, tenant.key);
    await appendSessionLogs(tenant.id, id, lines(2, "before"));
    await client.until((e) => seqs(e).length === 2);
    const pid = fanout.listenerPid();
    expect(pid).not.toBeNull();
    const connects = fanout.stats.connects;
    const admin = new pg.Client({ connectionString: databaseUrlOrThrow() });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      // Lines written while the fan-out is not listening: their notices are lost.
      await appendSessionLogs(tenant.id, id, lines(3, "during"));
      await expect.poll(() => fanout.stats.connects, { timeout: 10_000 }).toBeGreaterThan(connects);
      expect(fanout.listenerPid()).not.toBe(pid);
      await appendSessionLogs(tenant.id, id, lines(2, "after"));
      await client.until((e) => seqs(e).length === 7);
      expect(seqs(client.events)).toEqual(range(1, 7));
      expect(texts(client.events)).toEqual(["before-1", "before-2", "during-1", "during-2", "during-3", "after-1", "after-2"]);
    } finally {
      await admin.end();
      await client.close();
    }
  });

  it("keeps an idle stream open with heartbeat comments", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const fanout = new LogFanout({ heartbeatMs: 50 });
    try {
      const stream = new SseLogStream(tenant.id, id, {}, 0, fanout);
      void stream.run(tenantDb(tenant.id), 0);
      const client = await openSse(async () => new Response(stream.readable, { headers: { "content-type": "text/event-stream" } }), { path: "/", id, headers: {} });
      await appendSessionLogs(tenant.id, id, [line("one")]);
      await client.until((e) => e.length === 1 && client.comments.filter((c) => c === "heartbeat").length >= 2, 5000);
      expect(texts(client.events)).toEqual(["one"]);
      await client.close();
      expect(fanout.subscriberCount()).toBe(0);
    } finally {
      await fanout.stop();
    }
  });
});
