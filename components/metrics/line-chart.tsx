"use client";

import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { StatePeriod } from "./chart-gaps";
import type { MetricChartProps } from "./metric-chart";
import { formatInstant } from "./metrics-types";

const PERIOD_FILL: Record<StatePeriod["state"], string> = { paused: "#fde68a", hibernated: "#ddd6fe" };

/** The recharts drawing of a MetricChart (loaded on demand by metric-chart.tsx). */
export default function LineChartView({
  rows, series, domain, tick, format, axisFormat = format, limit, height = 120, step = false, integer = false, label, periods = [],
}: MetricChartProps) {
  return (
    <div role="img" aria-label={label} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#f4f4f5" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={domain} tickFormatter={tick} tick={{ fontSize: 11, fill: "#71717a" }} minTickGap={40} />
          <YAxis width={64} tickFormatter={axisFormat} tick={{ fontSize: 11, fill: "#71717a" }} allowDecimals={!integer} domain={[0, (max: number) => Math.max(max, limit?.value ?? 0) || 1]} />
          <Tooltip labelFormatter={(ms) => formatInstant(Number(ms))} formatter={(v, name) => [v === null || v === undefined ? "no sample" : format(Number(v)), name]} contentStyle={{ fontSize: 12 }} />
          {periods.map((p) => (
            <ReferenceArea key={`${p.state}-${p.from}`} x1={p.from} x2={p.to} fill={PERIOD_FILL[p.state]} fillOpacity={0.5} ifOverflow="hidden"
              className={`period-${p.state}`} />
          ))}
          {limit && <ReferenceLine y={limit.value} stroke="#a1a1aa" strokeDasharray="4 4" label={{ value: limit.label, position: "insideTopRight", fontSize: 10, fill: "#71717a" }} />}
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} dot={false} strokeWidth={1.5} isAnimationActive={false} type={step ? "stepAfter" : "linear"} connectNulls={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
