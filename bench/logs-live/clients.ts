// (b) Many idle-ish SSE clients on one web process: how fast they connect, the server's memory per
// client (RSS of the server's process tree before and after, ÷ clients), and that all of them are
// live (one new line per session reaches every client). Baseline: the same for a bare node:http
// SSE server (raw-sse-server.ts) holding as many streams.
// (c) Fan-out of one line to N subscribers of one session: time until all N have it, per line,
// against the raw LISTEN client's NOTIFY and against the bare server's broadcast to N streams.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { appendSessionLogs } from "../../lib/logs/append-session-logs";
import { processTreeRss } from "../lib/process-rss";
import { openMany, openSse, type SseClient } from "../lib/sse-client";
import { ratio, round, roundSummary, summarize } from "../lib/stats";
import { checkAborted, type LiveCtx, sleep } from "./context";
import type { LogsLiveParams } from "./params";
import { startRawSseServer } from "./raw-sse-server";

const MiB = 1024 * 1024;
const mib = (bytes: number) => round(bytes / MiB, 2);

/** Waits until `done()` or the timeout; returns whether it got there. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

export async function phaseIdleClients(ctx: LiveCtx, p: LogsLiveParams) {
  const n = p.clients;
  // Warm the route (JIT, first-use allocations) so the "before" figure is not the cold server.
  const warm = await openMany(20, 10, (i) => openSse({ baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${ctx.sessions[i % ctx.sessions.length]}/logs?tail=1`, apiKey: ctx.apiKey }));
  warm.forEach((c) => c.close());
  await sleep(2000);
  const before = processTreeRss(ctx.serverPid).bytes;

  ctx.log(`clients: opening ${n} SSE streams over ${ctx.sessions.length} sessions (${p.connectConcurrency} connecting at once)`);
  const newest = new Map<number, number>(); // client → newest seq seen
  const t0 = performance.now();
  const clients = await openMany(n, p.connectConcurrency, (i) =>
    openSse({ baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${ctx.sessions[i % ctx.sessions.length]}/logs?tail=1`, apiKey: ctx.apiKey,
      onEvent: (id) => newest.set(i, Math.max(newest.get(i) ?? 0, Number(id))) }));
  const connectMs = performance.now() - t0;
  try {
    await sleep(3000);
    const after = processTreeRss(ctx.serverPid).bytes;
    checkAborted(ctx.signal);

    // Every client is live: one line per session reaches all of them.
    const heads = new Map<string, number>();
    const sentAt = performance.now();
    for (const id of ctx.sessions) {
      const r = await appendSessionLogs(ctx.tenantId, id, [{ stream: "stdout", source: "bench", at: new Date(), line: "ping" }]);
      heads.set(id, r!.lastSeq);
    }
    const allLive = await waitUntil(() => clients.every((_, i) => (newest.get(i) ?? 0) >= heads.get(ctx.sessions[i % ctx.sessions.length])!), 15_000);
    const liveAfterMs = performance.now() - sentAt;
    const stillOpen = clients.filter((c) => c.isOpen()).length;
    const baseline = await rawServerMemory(n, p.connectConcurrency);
    const perClient = (after - before) / n;
    return {
      clients: n,
      connectMs: round(connectMs, 1),
      connectsPerSec: round((n * 1000) / connectMs, 1),
      serverRssBeforeMiB: mib(before),
      serverRssAfterMiB: mib(after),
      serverRssPerClientKiB: round(perClient / 1024, 1),
      allClientsGotTheNextLine: allLive,
      clientsOpen: stillOpen,
      nextLineToAllClientsMs: round(liveAfterMs, 1),
      contentEncodingForABrowser: await contentEncoding(ctx),
      baseline: baseline,
      ratios: { rssPerClient: round(ratio(perClient, baseline.perClientBytes) ?? NaN, 2) },
    };
  } finally {
    clients.forEach((c) => c.close());
  }
}

async function rawServerMemory(n: number, concurrency: number) {
  const raw = await startRawSseServer();
  try {
    const warm = await openMany(20, 10, () => openSse({ baseUrl: raw.url, path: "/" }));
    warm.forEach((c) => c.close());
    await sleep(1000);
    const before = processTreeRss(raw.pid).bytes;
    const clients = await openMany(n, concurrency, () => openSse({ baseUrl: raw.url, path: "/" }));
    await sleep(3000);
    const after = processTreeRss(raw.pid).bytes;
    clients.forEach((c) => c.close());
    return { what: "bare node:http SSE server in its own process", rssBeforeMiB: mib(before), rssAfterMiB: mib(after), perClientBytes: (after - before) / n, perClientKiB: round((after - before) / n / 1024, 1) };
  } finally {
    await raw.stop();
  }
}

export async function phaseFanout(ctx: LiveCtx, p: LogsLiveParams) {
  const n = p.fanoutSubscribers;
  const sessionId = ctx.sessions[0];
  ctx.log(`fan-out: ${n} subscribers of one session, ${p.fanoutLines} single lines`);
  const arrivals = new Map<number, number[]>(); // seq → arrival per client
  const before = processTreeRss(ctx.serverPid).bytes;
  const clients = await openMany(n, p.connectConcurrency, () =>
    openSse({ baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${sessionId}/logs?tail=1`, apiKey: ctx.apiKey,
      onEvent: (id, _data, at) => {
        const seq = Number(id);
        const list = arrivals.get(seq);
        if (list) list.push(at);
        else arrivals.set(seq, [at]);
      } }));
  const toAll: number[] = [];
  const perClient: number[] = [];
  const notify: number[] = [];
  let incomplete = 0;
  try {
    await sleep(2000);
    const after = processTreeRss(ctx.serverPid).bytes;
    ctx.notices.clear();
    for (let k = 0; k < p.fanoutLines; k++) {
      checkAborted(ctx.signal);
      const t0 = performance.now();
      const { lastSeq: seq } = (await appendSessionLogs(ctx.tenantId, sessionId, [{ stream: "stdout", source: "bench", at: new Date(), line: `fan-out ${k}` }]))!;
      if (!(await waitUntil(() => (arrivals.get(seq)?.length ?? 0) >= n, 10_000))) incomplete += 1;
      const list = arrivals.get(seq) ?? [];
      if (list.length) toAll.push(Math.max(...list) - t0);
      for (const at of list) perClient.push(at - t0);
      const noticed = ctx.notices.arrivalOf(sessionId, seq);
      if (noticed !== undefined) notify.push(noticed - t0);
      await sleep(200);
    }
    const baseline = await rawBroadcast(n, p);
    const all = summarize(toAll);
    return {
      subscribers: n,
      lines: p.fanoutLines,
      linesNotReachingAll: incomplete,
      serverRssPerSubscriberKiB: round((after - before) / n / 1024, 1),
      timeUntilAllHaveItMs: roundSummary(all),
      perSubscriberArrivalMs: roundSummary(summarize(perClient)),
      baselineNotifyMs: roundSummary(summarize(notify)),
      baselineRawBroadcastToAllMs: roundSummary(baseline),
      ratios: {
        toAllP50VsNotify: round(ratio(all.p50, summarize(notify).p50) ?? NaN, 2),
        toAllP50VsRawBroadcast: round(ratio(all.p50, baseline.p50) ?? NaN, 2),
        toAllP99VsRawBroadcast: round(ratio(all.p99, baseline.p99) ?? NaN, 2),
      },
    };
  } finally {
    clients.forEach((c) => c.close());
  }
}

async function rawBroadcast(n: number, p: LogsLiveParams) {
  const raw = await startRawSseServer();
  const toAll: number[] = [];
  let current: number[] = [];
  let clients: SseClient[] = [];
  try {
    clients = await openMany(n, p.connectConcurrency, () => openSse({ baseUrl: raw.url, path: "/", onEvent: (_id, _data, at) => current.push(at) }));
    await sleep(1000);
    for (let k = 0; k < p.fanoutLines; k++) {
      current = [];
      const list = current;
      const t0 = performance.now();
      await raw.broadcast();
      await waitUntil(() => list.length >= n, 10_000);
      if (list.length) toAll.push(Math.max(...list) - t0);
      await sleep(200);
    }
    return summarize(toAll);
  } finally {
    clients.forEach((c) => c.close());
    await raw.stop();
  }
}

/** What a browser (Accept-Encoding: gzip) gets: a compressed event stream would cost a zlib context per client. */
function contentEncoding(ctx: LiveCtx): Promise<string> {
  const url = new URL(`/api/v1/sessions/${ctx.sessions[0]}/logs?tail=1`, ctx.serverUrl);
  return new Promise((resolve) => {
    const req = http.get({ agent: false, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`,
      headers: { authorization: `Bearer ${ctx.apiKey}`, accept: "text/event-stream", "accept-encoding": "gzip, deflate, br" } }, (res) => {
      resolve(String(res.headers["content-encoding"] ?? "identity"));
      req.destroy();
    });
    req.on("error", (err) => resolve(`error: ${err.message}`));
  });
}
