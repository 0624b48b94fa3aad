"use client";

// Live log lines of one session: GET /sessions/{id}/logs as server-sent events, read with fetch so
// the console's cookie and X-Burrow-Tenant header go along (EventSource cannot send headers). On a
// dropped connection it reconnects with Last-Event-ID = the last line it got, so nothing is missed
// or repeated. Memory is bounded: the newest `maxLines` lines are kept.
import { useEffect, useState } from "react";
import { apiRaw } from "../api-client";
import type { LogLine } from "../api-types";
import { followEventStream, type StreamStatus } from "../follow-event-stream";

export type { LogLine };
export type LogStreamName = LogLine["stream"];
export const LOG_STREAMS = ["stdout", "stderr", "system"] as const satisfies readonly LogStreamName[];
export type LiveStatus = StreamStatus;

/** Lines shown when the pane opens without a filter (a filter searches the whole log). */
export const TAIL_LINES = 1000;
const FLUSH_MS = 50;

type Options = { tenant: string; sessionId: string; streams: readonly LogStreamName[]; q: string; maxLines: number };

export function useLiveLogs({ tenant, sessionId, streams, q, maxLines }: Options) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [error, setError] = useState<unknown>(null);
  const streamParam = streams.length === LOG_STREAMS.length ? "" : streams.join(",");

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let lastSeq: number | null = null;
    let pending: LogLine[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    setLines([]);
    setStatus("connecting");
    setError(null);
    if (streams.length === 0) {
      setStatus("live");
      return;
    }

    // Lines arrive by the hundred per second in a storm: render in batches, not one by one.
    const flush = () => {
      flushTimer = null;
      const batch = pending;
      pending = [];
      setLines((prev) => {
        const next = prev.concat(batch);
        return next.length > maxLines ? next.slice(next.length - maxLines) : next;
      });
    };

    void followEventStream({
      signal,
      open: () => {
        const start = lastSeq !== null ? {} : streamParam || q ? { afterSeq: 0 } : { tail: TAIL_LINES };
        return apiRaw(`/sessions/${encodeURIComponent(sessionId)}/logs`, {
          tenant, signal,
          query: { stream: streamParam || undefined, q: q || undefined, ...start },
          headers: { accept: "text/event-stream", ...(lastSeq !== null ? { "last-event-id": String(lastSeq) } : {}) },
        });
      },
      onStatus: setStatus,
      onFailed: setError,
      onEvent: (event, data) => {
        if (event !== "message") return "reconnect"; // an error event: reconnect and resume
        const line = JSON.parse(data) as LogLine;
        lastSeq = line.seq;
        pending.push(line);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
      },
    });
    return () => {
      controller.abort();
      if (flushTimer) clearTimeout(flushTimer);
    };
    // `streams` enters through streamParam (and its length): a new array with the same streams must not reconnect.
  }, [tenant, sessionId, streamParam, streams.length, q, maxLines]);

  return { lines, status, error };
}
