"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { SessionListItem } from "../api-types";
import { useConsole } from "../console/console-context";
import { formatDateTime, formatMib, formatRelative, formatSeconds } from "../format";
import { TableWrap, tdClass, thClass } from "../ui/states";
import { formatUsdAmount, sessionDurationSeconds } from "./session-columns";
import { canTerminate } from "./session-state";
import { SessionStateBadge } from "./session-state-badge";

type Props = {
  sessions: SessionListItem[];
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  selectable: boolean;
};

// On a phone only the session and its state stay (with the checkbox); wider screens add columns.
const MD = "hidden md:table-cell";
const LG = "hidden lg:table-cell";
const XL = "hidden xl:table-cell";

export function SessionsTable({ sessions, selected, onSelect, selectable }: Props) {
  const { tenant } = useConsole();
  const terminable = sessions.filter(canTerminate);
  const allOn = terminable.length > 0 && terminable.every((s) => selected.has(s.id));
  const selectAll = (
    <input type="checkbox" aria-label="Select all sessions that can be terminated" className="h-4 w-4 rounded border-zinc-300 accent-indigo-600"
      checked={allOn} disabled={terminable.length === 0} onChange={(e) => onSelect(terminable.map((s) => s.id), e.target.checked)} />
  );
  const columns: [ReactNode, string][] = [
    ...(selectable ? [[selectAll, ""] as [ReactNode, string]] : []),
    ["Session", ""], ["State", ""], ["Duration", MD], ["Cost", MD], ["Resources", XL], ["Labels", LG], ["Created", LG], ["Last activity", XL],
  ];
  const now = Date.now();

  return (
    <TableWrap label="Sessions">
      <thead>
        <tr>{columns.map(([c, cls], i) => <th key={i} className={`${thClass} ${cls}`}>{c}</th>)}</tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {sessions.map((s) => (
          <tr key={s.id} data-testid="session-row" data-session-id={s.id} className={selected.has(s.id) ? "bg-indigo-50/40" : s.state === "terminated" ? "text-zinc-500" : ""}>
            {selectable && (
              <td className={`${tdClass} w-10 pr-0 sm:pr-4`}>
                <input type="checkbox" aria-label={`Select ${s.id}`} className="h-4 w-4 rounded border-zinc-300 accent-indigo-600"
                  checked={selected.has(s.id)} disabled={!canTerminate(s)} onChange={(e) => onSelect([s.id], e.target.checked)} />
              </td>
            )}
            <td className={`${tdClass} max-w-[11rem] sm:max-w-none`}>
              <Link href={`/t/${tenant.slug}/sessions/${s.id}`} title={s.id}
                className="block truncate font-mono text-xs font-medium text-indigo-700 hover:underline">{s.id}</Link>
              <div className="truncate text-xs text-zinc-500">
                {s.template}{s.fromSnapshotId && <span title={`Forked from ${s.fromSnapshotId}`}> · forked</span>}
              </div>
            </td>
            <td className={tdClass}>
              <SessionStateBadge state={s.state} />
              {/* Under the badge on a phone, so the row fits the screen's width. */}
              {s.desiredState !== s.state && s.state !== "terminated" && s.state !== "failed" && (
                <span className="block text-xs text-zinc-500 sm:ml-1.5 sm:inline">→ {s.desiredState}</span>
              )}
              {s.failureReason && <div className="max-w-56 truncate text-xs text-red-700" title={s.failureReason}>{s.failureReason}</div>}
            </td>
            <td className={`${tdClass} ${MD} tabular-nums`}>{formatSeconds(sessionDurationSeconds(s, now))}</td>
            <td className={`${tdClass} ${MD} tabular-nums`} title={`$${s.costUsd} at list prices, before included amounts`}>{formatUsdAmount(s.costUsd)}</td>
            <td className={`${tdClass} ${XL} tabular-nums`}>
              {s.resources.vcpu} vCPU · {formatMib(s.resources.memoryMib)}{s.resources.gpus ? ` · ${s.resources.gpus} GPU` : ""}
            </td>
            <td className={`${tdClass} ${LG} whitespace-normal`}>
              <div className="flex min-w-32 flex-wrap gap-1">
                {Object.entries(s.labels).map(([k, v]) => (
                  <code key={k} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700">{k}={v}</code>
                ))}
                {Object.keys(s.labels).length === 0 && <span className="text-zinc-500">—</span>}
              </div>
            </td>
            <td className={`${tdClass} ${LG}`} title={formatDateTime(s.createdAt)}>{formatRelative(s.createdAt)}</td>
            <td className={`${tdClass} ${XL}`} title={formatDateTime(s.lastActivityAt)}>{formatRelative(s.lastActivityAt)}</td>
          </tr>
        ))}
      </tbody>
    </TableWrap>
  );
}
