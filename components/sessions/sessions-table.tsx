"use client";

import Link from "next/link";
import type { Session } from "../api-types";
import { useConsole } from "../console/console-context";
import { formatDateTime, formatMib, formatRelative } from "../format";
import { TableHead, TableWrap, tdClass } from "../ui/states";
import { canTerminate } from "./session-state";
import { SessionStateBadge } from "./session-state-badge";

type Props = {
  sessions: Session[];
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  selectable: boolean;
};

export function SessionsTable({ sessions, selected, onSelect, selectable }: Props) {
  const { tenant } = useConsole();
  const terminable = sessions.filter(canTerminate);
  const allOn = terminable.length > 0 && terminable.every((s) => selected.has(s.id));
  const selectAll = (
    <input type="checkbox" aria-label="Select all sessions that can be terminated" className="h-4 w-4 rounded border-zinc-300 accent-indigo-600"
      checked={allOn} disabled={terminable.length === 0} onChange={(e) => onSelect(terminable.map((s) => s.id), e.target.checked)} />
  );

  return (
    <TableWrap label="Sessions">
      <TableHead columns={[...(selectable ? [selectAll] : []), "Session", "State", "Resources", "Labels", "Created", "Last activity"]} />
      <tbody className="divide-y divide-zinc-100">
        {sessions.map((s) => (
          <tr key={s.id} data-testid="session-row" data-session-id={s.id} className={selected.has(s.id) ? "bg-indigo-50/40" : s.state === "terminated" ? "text-zinc-500" : ""}>
            {selectable && (
              <td className={`${tdClass} w-10`}>
                <input type="checkbox" aria-label={`Select ${s.id}`} className="h-4 w-4 rounded border-zinc-300 accent-indigo-600"
                  checked={selected.has(s.id)} disabled={!canTerminate(s)} onChange={(e) => onSelect([s.id], e.target.checked)} />
              </td>
            )}
            <td className={tdClass}>
              <Link href={`/t/${tenant.slug}/sessions/${s.id}`} className="font-mono text-xs font-medium text-indigo-700 hover:underline">{s.id}</Link>
              <div className="text-xs text-zinc-500">
                {s.template}{s.fromSnapshotId && <span title={`Forked from ${s.fromSnapshotId}`}> · forked</span>}
              </div>
            </td>
            <td className={tdClass}>
              <SessionStateBadge state={s.state} />
              {s.desiredState !== s.state && s.state !== "terminated" && s.state !== "failed" && (
                <span className="ml-1.5 text-xs text-zinc-500">→ {s.desiredState}</span>
              )}
              {s.failureReason && <div className="max-w-56 truncate text-xs text-red-700" title={s.failureReason}>{s.failureReason}</div>}
            </td>
            <td className={`${tdClass} tabular-nums`}>
              {s.resources.vcpu} vCPU · {formatMib(s.resources.memoryMib)}{s.resources.gpus ? ` · ${s.resources.gpus} GPU` : ""}
            </td>
            <td className={`${tdClass} whitespace-normal`}>
              <div className="flex min-w-32 flex-wrap gap-1">
                {Object.entries(s.labels).map(([k, v]) => (
                  <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{k}={v}</code>
                ))}
                {Object.keys(s.labels).length === 0 && <span className="text-zinc-500">—</span>}
              </div>
            </td>
            <td className={tdClass} title={formatDateTime(s.createdAt)}>{formatRelative(s.createdAt)}</td>
            <td className={tdClass} title={formatDateTime(s.lastActivityAt)}>{formatRelative(s.lastActivityAt)}</td>
          </tr>
        ))}
      </tbody>
    </TableWrap>
  );
}
