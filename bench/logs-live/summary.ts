// The console summary of a logs-live run (the JSON has everything).
type Summary = { p50?: number | null; p99?: number | null; max?: number | null };
type Phase = Record<string, unknown> & { failed?: string };

const f = (x: unknown, d = 1) => (typeof x === "number" ? x.toFixed(d) : "n/a");

export function summaryLines(phases: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of ["latencyDirect", "latencySandbox"]) {
    const ph = phases[name] as Phase | undefined;
    if (!ph) continue;
    if (ph.failed) {
      out.push(`  ${name}: FAILED ${ph.failed}`);
      continue;
    }
    const sse = ph.sseLatencyMs as Summary;
    const base = ph.baselineNotifyLatencyMs as Summary;
    const r = ph.ratios as { p50: number; p99: number };
    out.push(`  ${name} (${f(ph.achievedLinesPerSec, 0)} lines/s, ${ph.lines} lines, ${ph.lostAtSseClient} lost): SSE p50 ${f(sse.p50)} / p99 ${f(sse.p99)} ms; NOTIFY p50 ${f(base.p50)} / p99 ${f(base.p99)} ms; ratio ${f(r.p50, 2)} / ${f(r.p99, 2)}`);
  }
  const idle = phases.idleClients as Phase | undefined;
  if (idle && !idle.failed) {
    const b = idle.baseline as { perClientKiB: number };
    out.push(`  idle clients: ${idle.clients} connected in ${f(idle.connectMs, 0)} ms (${f(idle.connectsPerSec, 0)}/s); server RSS ${f(idle.serverRssBeforeMiB)} → ${f(idle.serverRssAfterMiB)} MiB = ${f(idle.serverRssPerClientKiB)} KiB/client (bare node SSE: ${f(b.perClientKiB)} KiB; ratio ${f((idle.ratios as { rssPerClient: number }).rssPerClient, 2)}); all live: ${idle.allClientsGotTheNextLine}`);
  } else if (idle?.failed) out.push(`  idle clients: FAILED ${idle.failed}`);
  const fan = phases.fanout as Phase | undefined;
  if (fan && !fan.failed) {
    const all = fan.timeUntilAllHaveItMs as Summary;
    const raw = fan.baselineRawBroadcastToAllMs as Summary;
    const n = fan.baselineNotifyMs as Summary;
    out.push(`  fan-out to ${fan.subscribers}: all have it after p50 ${f(all.p50)} / p99 ${f(all.p99)} / max ${f(all.max)} ms; NOTIFY p50 ${f(n.p50, 2)} ms; bare node broadcast p50 ${f(raw.p50)} / p99 ${f(raw.p99)} ms`);
  } else if (fan?.failed) out.push(`  fan-out: FAILED ${fan.failed}`);
  const slow = phases.slowClient as Phase | undefined;
  if (slow && !slow.failed) {
    const resumed = slow.resumedWithLastEventId as { expectedLines: number; noGapNoDuplicate: boolean };
    out.push(`  slow client: dropped ${slow.slowClientDropped} (at seq ${slow.slowClientLastSeq} of ${slow.lastSeq}); Last-Event-ID resume got the ${resumed.expectedLines} missing lines exactly: ${resumed.noGapNoDuplicate}; reader got every line ${slow.readingClientGotEveryLine}; server RSS ${f(slow.serverRssBeforeMiB)} → peak ${f(slow.serverRssPeakMiB)} MiB`);
  } else if (slow?.failed) out.push(`  slow client: FAILED ${slow.failed}`);
  return out;
}
