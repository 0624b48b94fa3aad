"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { METERS } from "@/lib/usage/meters";
import { formatAxisTick } from "./axis-ticks";
import { METER_COLORS, meterName, meterUnit } from "./meter-labels";
import { formatCents, formatDecimal } from "./money";
import type { DayBar } from "./usage-charts";

/** The recharts drawing of one meter's days (loaded on demand by usage-charts.tsx). */
export default function DayBarsChart({ meter, bars }: { meter: (typeof METERS)[number]; bars: DayBar[] }) {
  const label = `${meterName(meter)} per day`;
  return (
    <div role="img" aria-label={label} className="h-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#f4f4f5" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11, fill: "#71717a" }} minTickGap={16} />
          <YAxis width={64} tick={{ fontSize: 11, fill: "#71717a" }} tickFormatter={(v: number) => formatAxisTick(v)} />
          <Tooltip cursor={{ fill: "#f4f4f5" }} content={<DayTooltip meter={meter} />} />
          <Bar dataKey="height" name={meterName(meter)} fill={METER_COLORS[meter]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function DayTooltip({ meter, active, payload }: { meter: string; active?: boolean; payload?: ReadonlyArray<{ payload?: DayBar }> }) {
  const bar = payload?.[0]?.payload;
  if (!active || !bar) return null;
  return (
    <div className="rounded-md bg-white px-3 py-2 text-xs shadow-md ring-1 ring-zinc-200">
      <div className="font-medium text-zinc-900">{bar.day}</div>
      {bar.rows.length === 0 && <div className="text-zinc-500">No usage</div>}
      {bar.rows.map((row, i) => (
        <div key={i} className="tabular-nums text-zinc-700">
          {formatDecimal(row.quantity)} {meterUnit(meter)} · {formatCents(row.amountCents)} before included amounts
        </div>
      ))}
    </div>
  );
}

