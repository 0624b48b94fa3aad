// The table `npm run bench` prints for the sessions benchmark.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function summaryLines(phases: Record<string, any>): string[] {
  const f = (x: unknown, d = 1) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "n/a");
  const row = (label: string, apiV: unknown, beV: unknown, rawV: unknown, ratioV: unknown, d = 1) =>
    `  ${label.padEnd(40)}${f(apiV, d).padStart(10)}${f(beV, d).padStart(10)}${f(rawV, d).padStart(10)}${f(ratioV, 2).padStart(11)}`;
  const out = [`  ${"".padEnd(40)}${"API".padStart(10)}${"backend".padStart(10)}${"raw runc".padStart(10)}${"API/raw".padStart(11)}`];
  const a = phases.createToFirstExec;
  if (a?.createToFirstExecMs) {
    out.push(`  create → first exec (ms), ${a.runsPerTier} runs per tier:`);
    out.push(row("p50", a.createToFirstExecMs.api.p50, a.createToFirstExecMs.backend.p50, a.createToFirstExecMs.raw.p50, a.ratios.apiOverRaw.p50));
    out.push(row("p99", a.createToFirstExecMs.api.p99, a.createToFirstExecMs.backend.p99, a.createToFirstExecMs.raw.p99, a.ratios.apiOverRaw.p99));
    if (a.createToFirstExecMs.warm) {
      out.push(`  create → first exec from a warm pool (API, ms; ${a.warmPool.misses} of ${a.createToFirstExecMs.warm.count} found it empty):`);
      out.push(row("p50", a.createToFirstExecMs.warm.p50, null, a.createToFirstExecMs.raw.p50, a.ratios.warmOverRaw?.p50));
      out.push(row("p99", a.createToFirstExecMs.warm.p99, null, a.createToFirstExecMs.raw.p99, a.ratios.warmOverRaw?.p99));
    }
  } else if (a?.failed) out.push(`  create → first exec: FAILED ${a.failed}`);
  const b = phases.sustained;
  if (b?.api) out.push(row(`sustained cycles/min (${b.api.concurrency} in flight)`, b.api.cyclesPerMinute, null, b.raw.cyclesPerMinute, b.ratios.apiOverRaw));
  else if (b?.failed) out.push(`  sustained: FAILED ${b.failed}`);
  const c = phases.burst;
  if (c?.api) {
    out.push(`  burst of ${c.size}: success API ${c.api.succeeded}/${c.size}, raw ${c.raw.succeeded}/${c.size}; start → first exec done (ms):`);
    out.push(row("p50", c.api.firstExecDoneMs.p50, null, c.raw.firstExecDoneMs.p50, c.ratios.apiOverRaw.p50));
    out.push(row("p99", c.api.firstExecDoneMs.p99, null, c.raw.firstExecDoneMs.p99, c.ratios.apiOverRaw.p99));
  } else if (c?.failed) out.push(`  burst: FAILED ${c.failed}`);
  const d = phases.execRoundTrip;
  if (d?.roundTripMs) {
    out.push(`  exec true round trip (ms), ${d.roundTripMs.api.count} per tier:`);
    out.push(row("p50", d.roundTripMs.api.p50, d.roundTripMs.backend.p50, d.roundTripMs.raw.p50, d.ratios.apiOverRaw.p50));
    out.push(row("p99", d.roundTripMs.api.p99, d.roundTripMs.backend.p99, d.roundTripMs.raw.p99, d.ratios.apiOverRaw.p99));
    if (d.backendEdges) {
      out.push(`  backend exec with a background holder p50 ${f(d.backendEdges.backgroundHolderMs.p50)} ms (${f(d.backendEdges.backgroundHolderOverExecTrue, 2)}× exec true); timeout kill p50 ${f(d.backendEdges.timeoutOvershootMs.p50)} ms late`);
    }
  } else if (d?.failed) out.push(`  exec round trip: FAILED ${d.failed}`);
  const e = phases.hibernateWake;
  if (e?.api) {
    out.push(`  hibernate / wake, ${(e.workspace.bytesWritten / 2 ** 20).toFixed(0)} MiB in ${e.workspace.files} files (ms; raw = tar | zstd):`);
    out.push(row("hibernate", e.api.hibernateMs, null, e.raw.hibernateMs, e.ratios.hibernate, 0));
    out.push(row("wake + first exec, same runner (cache)", e.api.wakeAndFirstExecMs, null, e.raw.wakeAndFirstExecMs, e.ratios.wake, 0));
    out.push(row("hibernate again, unchanged", e.api.hibernateUnchangedMs, null, e.raw.hibernateUnchangedMs, e.ratios.hibernateUnchanged, 0));
    out.push(row("wake + first exec from the store", e.api.wakeAgainAndFirstExecMs, null, e.raw.wakeAgainAndFirstExecMs, e.ratios.wakeAgain, 0));
    out.push(row("stored / logical", e.api.snapshot?.storedOverLogical, null, e.raw.archiveOverLogical, e.ratios.storedBytes, 3));
    out.push(row("new bytes, unchanged (MiB)", (e.api.unchangedSnapshot?.newStoredBytes ?? NaN) / 2 ** 20, null, e.raw.unchangedNewBytes / 2 ** 20, e.ratios.unchangedNewBytes, 2));
  } else if (e?.failed) out.push(`  hibernate / wake: FAILED ${e.failed}`);
  const m = phases.memory;
  if (m?.api) {
    out.push(`  memory per idle sandbox (MiB), ${m.sandboxes} sandboxes:`);
    out.push(row("cgroup, running", m.api.cgroupMiBPerSandbox.running, null, m.raw.cgroupMiBPerSandbox.running, m.ratios.cgroupRunning, 2));
    out.push(row("cgroup, paused", m.api.cgroupMiBPerSandbox.paused, null, m.raw.cgroupMiBPerSandbox.paused, m.ratios.cgroupPaused, 2));
    out.push(row("host MemAvailable drop, running (noisy)", m.api.hostMemAvailableDropMiBPerSandbox.running, null, m.raw.hostMemAvailableDropMiBPerSandbox.running, m.ratios.hostRunning, 2));
    out.push(row("host MemAvailable drop, paused (noisy)", m.api.hostMemAvailableDropMiBPerSandbox.paused, null, m.raw.hostMemAvailableDropMiBPerSandbox.paused, m.ratios.hostPaused, 2));
  } else if (m?.failed) out.push(`  memory: FAILED ${m.failed}`);
  for (const [name, ph] of Object.entries(phases)) {
    if (ph?.valid === false && ph.operationFailures) out.push(`  ${name}: INVALID, ${ph.operationFailures.failed} of ${ph.operationFailures.attempted} operations failed`);
  }
  return out;
}
