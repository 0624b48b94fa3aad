"use client";

import dynamic from "next/dynamic";
import type { StatePeriod } from "./chart-gaps";

/** A null value is a hole in the samples: the line breaks there (see chart-gaps.ts). */
export type ChartRow = { t: number } & Record<string, number | null>;
type Series = { key: string; name: string; color: string };

export type MetricChartProps = {
  rows: ChartRow[];
  series: Series[];
  domain: [number, number];
  tick: (ms: number) => string;
  /** Tooltip values. */
  format: (value: number) => string;
  /** Axis ticks (shorter; the chart's label carries the unit). */
  axisFormat?: (value: number) => string;
  limit?: { value: number; label: string };
  height?: number;
  step?: boolean;
  /** Counts: whole-number ticks only. */
  integer?: boolean;
  label: string;
  /** Shaded spans of time (paused, hibernated). */
  periods?: StatePeriod[];
};

// recharts is about 100 KiB of gzipped JavaScript: loaded after the page shows, in its own chunk, so
// that it is in no page's first load (bench console-js). Until then the chart's box keeps its place.
const LineChartView = dynamic(() => import("./line-chart"), { ssr: false, loading: () => null });

/** One small time-series chart: lines over a fixed time domain, an optional limit line. */
export function MetricChart(props: MetricChartProps) {
  return (
    <div style={{ minHeight: props.height ?? 120 }}>
      <LineChartView {...props} />
    </div>
  );
}
