/** Used against capacity as a labelled meter; amber past 70 %, red past 90 %. */
export function UsageBar({ label, used, total, format }: { label: string; used: number; total: number; format: (n: number) => string }) {
  const pct = total > 0 ? (used / total) * 100 : 0;
  const colour = pct >= 90 ? "bg-red-500" : pct >= 70 ? "bg-amber-500" : "bg-indigo-500";
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-zinc-800">{label}</span>
        <span className="text-xs text-zinc-600 tabular-nums">{format(used)} of {format(total)} · {Math.round(pct)}%</span>
      </div>
      <div role="meter" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used} aria-valuetext={`${format(used)} of ${format(total)}`}
        className="mt-1 h-2 overflow-hidden rounded-full bg-zinc-100">
        <div className={`h-full rounded-full ${colour}`} style={{ width: `${Math.min(100, pct)}%` }} />
      </div>
    </div>
  );
}
