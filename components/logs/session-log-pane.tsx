"use client";

// The session page's live log pane: follows new lines as they are written (or pauses on what is
// shown), filters by stream, searches (server-side over the whole log, highlighted here) and
// downloads the matching lines as text.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { apiRaw, errorMessage } from "../api-client";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { inputClass } from "../ui/field";
import { ErrorState } from "../ui/states";
import { LogLineRow } from "./log-line-row";
import { LOG_STREAMS, type LogStreamName, TAIL_LINES, useLiveLogs } from "./use-live-logs";

const MAX_LINES = 5000;
const SEARCH_DEBOUNCE_MS = 300;

const STATUS_BADGE = {
  connecting: { tone: "blue", label: "connecting" },
  live: { tone: "green", label: "live" },
  reconnecting: { tone: "amber", label: "reconnecting" },
  failed: { tone: "red", label: "stopped" },
} as const;

export function SessionLogPane({ session }: { session: Pick<Session, "id" | "state"> }) {
  const { slug } = useTenantApi();
  const [streams, setStreams] = useState<LogStreamName[]>([...LOG_STREAMS]);
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [following, setFollowing] = useState(true);
  const [frozenAt, setFrozenAt] = useState<number | null>(null);
  const view = useRef<HTMLDivElement>(null);
  const live = useLiveLogs({ tenant: slug, sessionId: session.id, streams, q, maxLines: MAX_LINES });
  // An ended session writes nothing more: its log is history, however the connection is doing.
  const ended = session.state === "terminated" || session.state === "failed";

  useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [search]);

  // Paused: the view keeps the lines it had; new ones wait (bounded by MAX_LINES) until Follow.
  const shown = frozenAt === null || ended ? live.lines : live.lines.filter((l) => l.seq <= frozenAt);
  const waiting = live.lines.length - shown.length;

  useLayoutEffect(() => {
    const el = view.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [shown.length, following]);

  const togglePause = () => {
    if (following) setFrozenAt(live.lines.at(-1)?.seq ?? 0);
    else setFrozenAt(null);
    setFollowing(!following);
  };
  const toggleStream = (s: LogStreamName) =>
    setStreams((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : LOG_STREAMS.filter((x) => x === s || cur.includes(x))));

  const download = useMutation({
    mutationFn: async () => {
      const res = await apiRaw(`/sessions/${encodeURIComponent(session.id)}/logs`, {
        tenant: slug,
        query: { format: "text", stream: streams.length === LOG_STREAMS.length ? undefined : streams.join(","), q: q || undefined },
      });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `${session.id}.log`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });

  const badge = ended && live.status !== "failed" ? ({ tone: "neutral", label: "ended" } as const) : STATUS_BADGE[live.status];
  return (
    <Card aria-label="Logs">
      <CardHeader
        id="logs-title"
        title={<span className="flex items-center gap-2">Logs <span data-testid="log-status"><Badge tone={badge.tone}>{following || ended ? badge.label : "paused"}</Badge></span></span>}
        description={ended
          ? (q || streams.length < LOG_STREAMS.length ? "Matching lines from the whole log." : `The last ${TAIL_LINES} lines.`)
          : q || streams.length < LOG_STREAMS.length ? "Matching lines from the whole log, then new ones as they come." : `The last ${TAIL_LINES} lines, then new ones as they come.`}
        actions={
          <>
            {!ended && <Button variant="secondary" size="sm" aria-pressed={!following} onClick={togglePause}>{following ? "Pause" : "Follow"}</Button>}
            <Button variant="secondary" size="sm" pending={download.isPending} onClick={() => download.mutate()}>Download</Button>
          </>
        }
      />
      <CardBody className="space-y-3">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="min-w-0 flex-1">
            <label htmlFor="log-search" className="block text-sm font-medium text-zinc-800">Search logs</label>
            <input id="log-search" type="search" className={`mt-1 font-mono ${inputClass}`} placeholder="text in the line" autoComplete="off"
              spellCheck={false} value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          <fieldset className="flex items-center gap-3 pb-2">
            <legend className="sr-only">Streams</legend>
            {LOG_STREAMS.map((s) => (
              <label key={s} className="flex items-center gap-1.5 text-sm text-zinc-700">
                <input type="checkbox" className="h-4 w-4 rounded border-zinc-300 text-indigo-600" checked={streams.includes(s)} onChange={() => toggleStream(s)} />
                {s}
              </label>
            ))}
          </fieldset>
        </div>
        {download.isError && <p role="alert" className="text-sm text-red-700">Download failed: {errorMessage(download.error)}</p>}
        {live.status === "failed" ? (
          <ErrorState error={live.error} />
        ) : (
          <div ref={view} data-testid="log-view" role="log" aria-label="Session logs" aria-live="off" tabIndex={0}
            className="h-96 overflow-auto rounded-md bg-zinc-900 p-3 font-mono text-xs leading-relaxed text-zinc-100">
            {shown.length === 0 && <p className="text-zinc-400">{streams.length === 0 ? "Choose a stream to show." : q ? "No matching lines yet." : "No log lines yet."}</p>}
            {shown.map((l) => <LogLineRow key={l.seq} line={l} highlight={q} />)}
          </div>
        )}
        <p className="text-xs text-zinc-500" data-testid="log-count">
          {shown.length} {shown.length === 1 ? "line" : "lines"}
          {live.lines.length >= MAX_LINES && ` (the newest ${MAX_LINES} are kept; Download has them all)`}
          {waiting > 0 && ` · ${waiting} new while paused`}
        </p>
      </CardBody>
    </Card>
  );
}
