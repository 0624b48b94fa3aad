// Failed operations of a sessions phase (a create or an exec that did not succeed, on any tier):
// counted, summarized by message, and what makes the phase, and so the run, invalid. A burst with
// 38 failed creates is not a fast burst: it is a failed one.

export type OperationFailures = {
  /** Operations attempted (creates, execs, cycles) on every tier of the phase. */
  attempted: number;
  failed: number;
  /** Error message (first 200 characters) → how many times. */
  byMessage: Record<string, number>;
};

export type Outcome = { ok: boolean; error?: string };

export function countFailures(outcomes: Outcome[]): OperationFailures {
  const byMessage: Record<string, number> = {};
  let failed = 0;
  for (const o of outcomes) {
    if (o.ok) continue;
    failed++;
    const message = (o.error ?? "unknown error").slice(0, 200);
    byMessage[message] = (byMessage[message] ?? 0) + 1;
  }
  return { attempted: outcomes.length, failed, byMessage };
}

/** Adds up the failures of several tiers (each under its label). */
export function mergeFailures(parts: Record<string, OperationFailures>): OperationFailures {
  const byMessage: Record<string, number> = {};
  let attempted = 0;
  let failed = 0;
  for (const [label, f] of Object.entries(parts)) {
    attempted += f.attempted;
    failed += f.failed;
    for (const [message, n] of Object.entries(f.byMessage)) byMessage[`${label}: ${message}`] = (byMessage[`${label}: ${message}`] ?? 0) + n;
  }
  return { attempted, failed, byMessage };
}

/** From a closed loop's counts: `ok` successes and every failure by message. */
export function loopFailures(ok: number, failuresByMessage: Record<string, number>): OperationFailures {
  const failed = Object.values(failuresByMessage).reduce((a, b) => a + b, 0);
  return { attempted: ok + failed, failed, byMessage: { ...failuresByMessage } };
}

/** null when nothing failed; else one line for the run's failures, the most frequent errors first. */
export function failureLine(phase: string, f: OperationFailures | undefined, top = 3): string | null {
  if (!f || f.failed === 0) return null;
  const worst = Object.entries(f.byMessage).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
  return `${phase}: ${f.failed} of ${f.attempted} operations failed: ${worst.map(([m, n]) => `${n}× ${m}`).join("; ")}`;
}
