import type { ReactNode } from "react";
import type { Session } from "../api-types";
import { formatDateTime, formatMib, formatRelative, formatSeconds } from "../format";
import { Card, CardBody, CardHeader } from "../ui/card";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-4 py-1.5">
      <dt className="shrink-0 text-zinc-500">{label}</dt>
      <dd className="min-w-0 text-right break-words text-zinc-900">{children}</dd>
    </div>
  );
}

function Pairs({ values, empty, namesOnly = false }: { values: Record<string, string>; empty: string; namesOnly?: boolean }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <span className="text-zinc-500">{empty}</span>;
  return (
    <span className="flex flex-wrap justify-end gap-1">
      {entries.map(([k, v]) => <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{namesOnly ? k : `${k}=${v}`}</code>)}
    </span>
  );
}

/** Resources, idle policy, lifetime and where it runs. */
export function SessionDetailsCard({ session: s }: { session: Session }) {
  const lifetimePct = Math.min(100, (s.lifetimeUsedSeconds / s.maxLifetimeSeconds) * 100);
  return (
    <Card aria-labelledby="details-title">
      <CardHeader id="details-title" title="Resources and policy" />
      <CardBody>
        <dl className="divide-y divide-zinc-100 text-sm" data-testid="session-details">
          <Row label="Template">{s.template}</Row>
          <Row label="vCPU">{s.resources.vcpu}</Row>
          <Row label="Memory">{formatMib(s.resources.memoryMib)}</Row>
          <Row label="Disk">{formatMib(s.resources.diskMib)}</Row>
          {s.resources.gpus > 0 && <Row label="GPUs">{s.resources.gpus}</Row>}
          <Row label="Pause when idle">{s.idle.pauseAfterSeconds === null ? "never" : `after ${formatSeconds(s.idle.pauseAfterSeconds)}`}</Row>
          <Row label="Hibernate when idle">{s.idle.hibernateAfterSeconds === null ? "never" : `after ${formatSeconds(s.idle.hibernateAfterSeconds)}`}</Row>
          <Row label="Lifetime">
            <span className="tabular-nums">{formatSeconds(s.lifetimeUsedSeconds)} of {formatSeconds(s.maxLifetimeSeconds)}</span>
            <span className="mt-1 block h-1.5 w-full overflow-hidden rounded-full bg-zinc-100" aria-hidden="true">
              <span className="block h-full bg-indigo-500" style={{ width: `${lifetimePct}%` }} />
            </span>
          </Row>
          <Row label="Last activity"><span title={formatDateTime(s.lastActivityAt)}>{formatRelative(s.lastActivityAt)}</span></Row>
          <Row label="Runner">{s.runnerId ? <code className="font-mono text-xs">{s.runnerId}</code> : "—"}</Row>
          {s.fromSnapshotId && <Row label="Forked from"><code className="font-mono text-xs">{s.fromSnapshotId}</code></Row>}
          <Row label="Labels"><Pairs values={s.labels} empty="none" /></Row>
          <Row label="Environment"><Pairs values={s.env} empty="none" namesOnly /></Row>
          <Row label="Created"><span title={formatDateTime(s.createdAt)}>{formatDateTime(s.createdAt)}</span></Row>
          {s.terminatedAt && <Row label="Terminated">{formatDateTime(s.terminatedAt)}</Row>}
        </dl>
      </CardBody>
    </Card>
  );
}
