"use client";

import dynamic from "next/dynamic";
import { METERS } from "@/lib/usage/meters";
import { Card, CardBody, CardHeader } from "../ui/card";
import { ErrorState, LoadingState } from "../ui/states";
import type { UsageRow } from "./billing-types";
import { meterName, meterUnit } from "./meter-labels";
import { useUsage } from "./use-billing";

const DAY_MS = 86_400_000;
const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/** The bar of one day: its height is only a picture (floats are fine there); the tooltip shows the API's own figures. */
export type DayBar = { day: string; height: number; rows: UsageRow[] };

// recharts (about 100 KiB gzipped) loads after the page shows, in its own chunk: see metrics/metric-chart.tsx.
const DayBarsChart = dynamic(() => import("./day-bars-chart"), { ssr: false, loading: () => null });

/** Usage per day of the period, one small chart per meter (their units differ). */
export function UsageChartsCard({ period }: { period: { start: string; end: string } }) {
  const usage = useUsage("meter", period);
  return (
    <Card className="mt-6" aria-labelledby="usage-charts-title">
      <CardHeader id="usage-charts-title" title="Usage per day" description="Metered quantity per day (UTC) and meter; hover a bar for its amount at your plan's unit price." />
      {usage.isPending ? (
        <LoadingState label="Loading usage…" />
      ) : usage.isError ? (
        <ErrorState error={usage.error} onRetry={() => usage.refetch()} />
      ) : (
        <CardBody className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          {METERS.map((meter) => (
            <MeterChart key={meter} meter={meter} bars={dayBars(period, usage.data.data.filter((r) => r.meter === meter))} />
          ))}
        </CardBody>
      )}
    </Card>
  );
}

function MeterChart({ meter, bars }: { meter: (typeof METERS)[number]; bars: DayBar[] }) {
  return (
    <div data-testid="usage-chart" data-meter={meter}>
      <h3 className="text-sm font-medium text-zinc-800">{meterName(meter)} <span className="text-xs font-normal text-zinc-500">({meterUnit(meter)})</span></h3>
      <div className="mt-2 h-40">
        <DayBarsChart meter={meter} bars={bars} />
      </div>
    </div>
  );
}

/** Every day of the period up to today, with the API's row for that day when there is one. */
function dayBars(period: { start: string; end: string }, rows: UsageRow[]): DayBar[] {
  const byDay = new Map<number, UsageRow[]>();
  for (const r of rows) {
    const day = Math.floor(Date.parse(r.start) / DAY_MS);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  const first = Math.floor(Date.parse(period.start) / DAY_MS);
  const last = Math.min(Math.ceil(Date.parse(period.end) / DAY_MS), Math.floor(Date.now() / DAY_MS) + 1);
  const bars: DayBar[] = [];
  for (let d = first; d < last && bars.length < 62; d++) {
    const dayRows = byDay.get(d) ?? [];
    bars.push({ day: dayLabel.format(new Date(d * DAY_MS)), height: dayRows.reduce((h, r) => h + Number(r.quantity), 0), rows: dayRows });
  }
  return bars;
}
