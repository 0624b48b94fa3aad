// A client that stops reading, on the real server. Once the kernel's socket buffers are full the
// server's queue for it grows; past the cap (1 MiB) the server must drop it rather than hold the
// backlog. Seen from the client: when it reads again it gets what the kernel held, then the
// connection ends before the last line (the server closes it as soon as the socket moves again);
// reconnecting with Last-Event-ID then delivers the rest with no gap. A second client of the same
// session, reading normally, gets every line meanwhile. The server's RSS is sampled throughout.
import { performance } from "node:perf_hooks";
import { appendSessionLogs } from "../../lib/logs/append-session-logs";
import { processTreeRss } from "../lib/process-rss";
import { openSse } from "../lib/sse-client";
import { round } from "../lib/stats";
import { type LiveCtx, sleep } from "./context";
import type { LogsLiveParams } from "./params";

const MiB = 1024 * 1024;

export async function phaseSlowClient(ctx: LiveCtx, p: LogsLiveParams) {
  const sessionId = ctx.sessions[ctx.sessions.length - 1];
  const path = `/api/v1/sessions/${sessionId}/logs`;
  const lineText = "s".repeat(1000);
  const batchLines = 1000;
  const batches = Math.ceil(p.slowClientBytes / (batchLines * lineText.length));
  ctx.log(`slow client: ${batches} × ${batchLines} lines of 1 KB to a session with one client that reads nothing and one that reads`);
  let readerLast = 0;
  const slow = await openSse({ baseUrl: ctx.serverUrl, path: `${path}?tail=1`, apiKey: ctx.apiKey, paused: true });
  const reader = await openSse({ baseUrl: ctx.serverUrl, path: `${path}?tail=1`, apiKey: ctx.apiKey, onEvent: (id) => (readerLast = Number(id)) });
  try {
    const before = processTreeRss(ctx.serverPid).bytes;
    let peak = before;
    let firstSeq = 0;
    let lastSeq = 0;
    for (let b = 0; b < batches; b++) {
      const r = await appendSessionLogs(ctx.tenantId, sessionId, Array.from({ length: batchLines }, (_, i) => ({ stream: "stdout" as const, source: "bench", at: new Date(), line: `${b}.${i} ${lineText}` })));
      firstSeq ||= r!.firstSeq;
      lastSeq = r!.lastSeq;
      peak = Math.max(peak, processTreeRss(ctx.serverPid).bytes);
      await sleep(50);
    }
    const deadline = performance.now() + 30_000;
    while (readerLast < lastSeq && performance.now() < deadline) {
      peak = Math.max(peak, processTreeRss(ctx.serverPid).bytes);
      await sleep(100);
    }
    const afterWrites = processTreeRss(ctx.serverPid).bytes;

    // The slow client reads again: the kernel's bytes, then the end (if it was dropped).
    slow.resume();
    const quietDeadline = performance.now() + 20_000;
    let seen = -1;
    while (slow.isOpen() && performance.now() < quietDeadline && Number(slow.lastId() ?? 0) < lastSeq) {
      if (slow.count() === seen) await sleep(500);
      seen = slow.count();
      await sleep(100);
    }
    const slowLast = Number(slow.lastId() ?? 0);
    const dropped = !slow.isOpen() && slowLast < lastSeq;

    // Reconnecting with Last-Event-ID gets exactly the rest.
    let resumedFirst = 0;
    let resumedLast = 0;
    let resumedCount = 0;
    const again = await openSse({ baseUrl: ctx.serverUrl, path, apiKey: ctx.apiKey, headers: { "last-event-id": String(slowLast) },
      onEvent: (id) => {
        resumedFirst ||= Number(id);
        resumedLast = Number(id);
        resumedCount += 1;
      } });
    const resumeDeadline = performance.now() + 30_000;
    while (resumedLast < lastSeq && performance.now() < resumeDeadline) await sleep(100);
    again.close();
    const expected = lastSeq - slowLast;
    return {
      bytesOfLinesWritten: batches * batchLines * lineText.length,
      lines: lastSeq - firstSeq + 1,
      slowClientDropped: dropped,
      slowClientReceivedBeforeTheEnd: slow.count(),
      slowClientLastSeq: slowLast,
      lastSeq,
      resumedWithLastEventId: { expectedLines: expected, received: resumedCount, noGapNoDuplicate: resumedCount === expected && resumedFirst === slowLast + 1 && resumedLast === lastSeq },
      readingClientGotEveryLine: readerLast >= lastSeq,
      serverRssBeforeMiB: round(before / MiB, 1),
      serverRssPeakMiB: round(peak / MiB, 1),
      serverRssAfterMiB: round(afterWrites / MiB, 1),
    };
  } finally {
    slow.close();
    reader.close();
  }
}
