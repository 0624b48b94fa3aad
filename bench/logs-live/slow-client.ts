// A client that reads nothing, on the real server: once the kernel's socket buffers are full the
// server's queue for it grows, and past the cap (1 MiB) the server must cut it loose rather than
// hold the backlog. Checks that it does (and that a reading client of the same session gets every
// line), and how much the server's memory moved meanwhile.
import { performance } from "node:perf_hooks";
import { appendSessionLogs } from "../../lib/logs/append-session-logs";
import { processTreeRss } from "../lib/process-rss";
import { openSse } from "../lib/sse-client";
import { round } from "../lib/stats";
import { type LiveCtx, sleep } from "./context";
import type { LogsLiveParams } from "./params";

export async function phaseSlowClient(ctx: LiveCtx, p: LogsLiveParams) {
  const sessionId = ctx.sessions[ctx.sessions.length - 1];
  const lineText = "s".repeat(1000);
  const batchLines = 1000;
  const batches = Math.ceil(p.slowClientBytes / (batchLines * lineText.length));
  ctx.log(`slow client: ${batches} × ${batchLines} lines of 1 KB to a session with one client that reads nothing and one that reads`);
  let readerLast = 0;
  const slow = await openSse({ baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${sessionId}/logs?tail=1`, apiKey: ctx.apiKey, paused: true });
  const reader = await openSse({ baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${sessionId}/logs?tail=1`, apiKey: ctx.apiKey,
    onEvent: (id) => (readerLast = Number(id)) });
  try {
    const before = processTreeRss(ctx.serverPid).bytes;
    let peak = before;
    let cutAfterMs: number | null = null;
    const t0 = performance.now();
    void slow.ended.then(() => (cutAfterMs = performance.now() - t0));
    let lastSeq = 0;
    for (let b = 0; b < batches; b++) {
      const r = await appendSessionLogs(ctx.tenantId, sessionId, Array.from({ length: batchLines }, (_, i) => ({ stream: "stdout" as const, source: "bench", at: new Date(), line: `${b}.${i} ${lineText}` })));
      lastSeq = r!.lastSeq;
      peak = Math.max(peak, processTreeRss(ctx.serverPid).bytes);
      await sleep(50);
    }
    const deadline = performance.now() + 20_000;
    while ((slow.isOpen() || readerLast < lastSeq) && performance.now() < deadline) {
      peak = Math.max(peak, processTreeRss(ctx.serverPid).bytes);
      await sleep(100);
    }
    return {
      bytesWritten: batches * batchLines * (lineText.length + 10),
      slowClientCutLoose: !slow.isOpen(),
      slowClientEnd: slow.isOpen() ? "still open" : await slow.ended,
      cutAfterMs: cutAfterMs === null ? null : round(cutAfterMs, 1),
      readingClientGotEveryLine: readerLast >= lastSeq,
      serverRssBeforeMiB: round(before / 1024 / 1024, 1),
      serverRssPeakMiB: round(peak / 1024 / 1024, 1),
    };
  } finally {
    slow.close();
    reader.close();
  }
}
