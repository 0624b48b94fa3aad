"use client";

// One session: a sticky header (state, actions, key figures) over tabs (`?tab=`), kept current by
// the session's live event stream. A tab's panel mounts when first opened; Overview, Logs and
// Terminal stay mounted after that (a running command, a paused log view or an open shell survive
// a look at another tab).
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "../api-client";
import type { Session } from "../api-types";
import { useConsole } from "../console/console-context";
import { SessionLogPane } from "../logs/session-log-pane";
import { SessionMetricsCard } from "../metrics/session-metrics-card";
import { SessionNetworkPanel } from "../network/session-network-panel";
import { SessionTelemetryTimeline } from "../traces/session-telemetry-timeline";
import { Card } from "../ui/card";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { CommandBox } from "./command-box";
import { PostMortemCard } from "./post-mortem-card";
import { SessionDetailsCard } from "./session-details-card";
import { SessionFiles } from "./session-files";
import { SessionHeader } from "./session-header";
import { isEnded } from "./session-state";
import { SESSION_TABS, tabFromParam, type SessionTab } from "./session-tab-names";
import { panelId, SessionTabs, tabId } from "./session-tabs";
import { SessionTerminal } from "./session-terminal";
import { SessionTimeline } from "./session-timeline";
import { SnapshotLineage } from "./snapshot-lineage";
import { useSessionStream } from "./use-session-stream";
import { useScopes, useSession } from "./use-sessions";

/** Panels that stay mounted once opened. */
const KEEP_MOUNTED: readonly SessionTab[] = ["overview", "logs", "terminal"];

export function SessionDetailPage({ id }: { id: string }) {
  const { tenant } = useConsole();
  const scopes = useScopes();
  const stream = useSessionStream(id);
  const session = useSession(id, { live: stream === "live" });
  const tab = useSelectedTab();
  const [opened, setOpened] = useState<SessionTab[]>([tab.current]);
  if (!opened.includes(tab.current)) setOpened([...opened, tab.current]);
  const backHref = `/t/${tenant.slug}/sessions`;
  const back = <Link href={backHref} className="mb-3 inline-block text-sm font-medium text-indigo-600 hover:underline">← Sessions</Link>;

  if (session.isPending) return <>{back}<Card><LoadingState label="Loading session…" /></Card></>;
  if (session.isError) {
    const missing = session.error instanceof ApiError && session.error.status === 404;
    return (
      <>
        {back}
        <Card>
          {missing ? (
            <EmptyState title="No such session">There is no session <code className="font-mono">{id}</code> in this tenant.</EmptyState>
          ) : (
            <ErrorState error={session.error} onRetry={() => session.refetch()} />
          )}
        </Card>
      </>
    );
  }

  const s = session.data;
  return (
    <>
      <SessionHeader session={s} backHref={backHref} canWrite={scopes.sessionsWrite} stream={stream} tabs={<SessionTabs current={tab.current} onSelect={tab.select} />} />
      {SESSION_TABS.map(({ id: t }) => {
        const mounted = t === tab.current || (KEEP_MOUNTED.includes(t) && opened.includes(t));
        return (
          <div key={t} id={panelId(t)} role="tabpanel" aria-labelledby={tabId(t)} hidden={t !== tab.current} tabIndex={0} className="focus-visible:outline-none">
            {mounted && <Panel tab={t} session={s} canWrite={scopes.sessionsWrite} live={stream === "live"} />}
          </div>
        );
      })}
    </>
  );
}

/**
 * The open tab: the URL's `?tab=` when the page loads or the router changes it, Back and Forward
 * (popstate), and a click or key on the tab strip, which sets it here and pushes the URL. The tab
 * is not read back from useSearchParams after a push: the router was seen to keep the old search
 * params after a reload and Back (the URL said one tab, the page showed another).
 */
function useSelectedTab() {
  const fromRouter = tabFromParam(useSearchParams().get("tab"));
  const [current, setCurrent] = useState<SessionTab>(fromRouter);
  const [seenFromRouter, setSeenFromRouter] = useState(fromRouter);
  if (fromRouter !== seenFromRouter) {
    setSeenFromRouter(fromRouter);
    setCurrent(fromRouter);
  }
  useEffect(() => {
    const onPopState = () => setCurrent(tabFromParam(new URLSearchParams(window.location.search).get("tab")));
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, []);
  return { current, select: setCurrent };
}

function Panel({ tab, session: s, canWrite, live }: { tab: SessionTab; session: Session; canWrite: boolean; live: boolean }): ReactNode {
  switch (tab) {
    case "overview":
      return (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
          <div className="min-w-0 space-y-6 lg:col-span-2">
            {s.postMortem && <PostMortemCard postMortem={s.postMortem} />}
            <CommandBox session={s} canWrite={canWrite} />
            <SessionTimeline session={s} live={live} />
          </div>
          <div className="min-w-0 space-y-6">
            <SessionDetailsCard session={s} />
          </div>
        </div>
      );
    case "logs":
      return <SessionLogPane session={s} />;
    case "terminal":
      return isEnded(s) ? (
        <Card><EmptyState title={`The session is ${s.state}`}>A terminal opens only in a session that has not ended.</EmptyState></Card>
      ) : (
        <SessionTerminal session={s} canWrite={canWrite} />
      );
    case "files":
      return <SessionFiles session={s} canWrite={canWrite} />;
    case "traces":
      return <SessionTelemetryTimeline session={s} />;
    case "metrics":
      return <SessionMetricsCard session={s} />;
    case "snapshots":
      return <SnapshotLineage session={s} />;
    case "network":
      return <SessionNetworkPanel session={s} canWrite={canWrite} />;
  }
}
