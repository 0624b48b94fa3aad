// What the logs-live phases share: the server and tenant, the sessions, and the baseline listener
// (a raw pg client LISTENing on the same channel as the web process, in the bench process).
import pg from "pg";
import { performance } from "node:perf_hooks";
import { LOG_CHANNEL, type LogNotice } from "../../lib/logs/append-session-logs";
import { openSse, type SseClient } from "../lib/sse-client";
import type { Log } from "./params";

export type LiveCtx = {
  serverUrl: string;
  apiKey: string;
  tenantId: string;
  sessions: string[];
  serverPid: number;
  notices: NoticeListener;
  log: Log;
  signal: AbortSignal;
};

type Arrival = { firstSeq: number; lastSeq: number; at: number };

/** The baseline: when a raw LISTEN connection gets each NOTIFY (performance.now() of the bench process). */
export class NoticeListener {
  private readonly client: pg.Client;
  private readonly bySession = new Map<string, Arrival[]>();

  constructor(databaseUrl: string) {
    this.client = new pg.Client({ connectionString: databaseUrl, application_name: "bench-baseline-listen" });
    this.client.on("notification", (n) => {
      const at = performance.now();
      const notice = JSON.parse(n.payload ?? "{}") as LogNotice;
      const list = this.bySession.get(notice.sessionId) ?? [];
      list.push({ firstSeq: notice.firstSeq, lastSeq: notice.lastSeq, at });
      this.bySession.set(notice.sessionId, list);
    });
  }

  async start() {
    await this.client.connect();
    await this.client.query(`LISTEN ${LOG_CHANNEL}`);
  }

  /** When the notice announcing this line arrived, or undefined. */
  arrivalOf(sessionId: string, seq: number): number | undefined {
    const list = this.bySession.get(sessionId);
    if (!list) return undefined;
    // Notices of a session come in sequence order: binary search on lastSeq.
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].lastSeq < seq) lo = mid + 1;
      else if (list[mid].firstSeq > seq) hi = mid - 1;
      else return list[mid].at;
    }
    return undefined;
  }

  clear() {
    this.bySession.clear();
  }

  stop() {
    return this.client.end().catch(() => {});
  }
}

/** Arrival times of lines at SSE clients, keyed by session and sequence number. */
export type Arrivals = Map<string, Map<number, number>>;

/** One SSE client per session following new lines (tail=1: at most one old line), recording arrivals. */
export async function followSessions(ctx: LiveCtx, onLine?: (sessionId: string, seq: number, data: string, at: number) => void) {
  const arrivals: Arrivals = new Map();
  const clients: SseClient[] = [];
  try {
    for (const id of ctx.sessions) {
      const seen = new Map<number, number>();
      arrivals.set(id, seen);
      clients.push(await openSse({
        baseUrl: ctx.serverUrl, path: `/api/v1/sessions/${id}/logs?tail=1`, apiKey: ctx.apiKey,
        onEvent: (eventId, data, at) => {
          const seq = Number(eventId);
          seen.set(seq, at);
          onLine?.(id, seq, data, at);
        },
      }));
    }
  } catch (err) {
    for (const c of clients) c.close();
    throw err;
  }
  return { arrivals, close: () => clients.forEach((c) => c.close()) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const checkAborted = (signal: AbortSignal) => {
  if (signal.aborted) throw new Error("interrupted");
};
