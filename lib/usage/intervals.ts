// The interval math of metering, pure and exact (integer milliseconds, BigInt micro-units).
//
// A session's state timeline (session_events) becomes spans: each event starts a span in its
// `toState` that lasts until the next event; the last span is open until `untilMs` (the rollup's
// now). Events are ordered by (time, id) whatever order they arrive in, and a span never starts
// before the previous one ended, so clock skew between runners can shift usage between states
// but never makes it negative or overlapping. `terminated` is final: a (skewed) event after it
// bills nothing.
//
// What is billed (ARCHITECTURE.md: compute while running, memory while paused, storage while
// hibernated): running → vcpu_seconds, memory_gib_seconds, gpu_seconds; paused →
// memory_gib_seconds. The transitional states (pending, starting, hibernating, terminating) are
// the platform's own work and are not billed, nor are hibernated, failed and terminated; a
// hibernated session pays only for its snapshot, metered as its own subject (snapshot_gib_hours
// while the snapshot is stored, from its creation until its deletion).
//
// Usage is split at UTC hour boundaries. Rounding to micro-units is telescoped per subject: the
// hour h of a subject gets round(rate × billed ms up to the end of h) − round(rate × billed ms up
// to the start of h). Each hour is within half a micro-unit of its exact share, no hour is
// negative, and the hours of a subject add up to its exact total rounded once; when rate × ms is
// a whole number of micro-units (1 vCPU, 256 MiB, any GPU count, to the millisecond) nothing is
// rounded at all.
import type { Meter } from "./meters";
import { microUnits, rationalOf, type Rate } from "./quantity";

export const HOUR_MS = 3_600_000;

export type SessionMeter = Exclude<Meter, "snapshot_gib_hours" | "network_egress_gib">;
export type TimelineEvent = { id: string; toState: string; atMs: number };
export type StateSpan = { state: string; startMs: number; endMs: number };
export type HourPiece = { hourMs: number; startMs: number; endMs: number };
export type UsagePiece = { meter: Meter; hourMs: number; micro: bigint };

/** The session states each session meter bills. */
export const BILLED_STATES: Record<SessionMeter, readonly string[]> = {
  vcpu_seconds: ["running"],
  memory_gib_seconds: ["running", "paused"],
  gpu_seconds: ["running"],
};
const FINAL_STATE = "terminated";

const byTimeThenId = (a: TimelineEvent, b: TimelineEvent) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The session's state spans, non-empty, ordered and non-overlapping, none ending after `untilMs`. */
export function stateSpans(events: readonly TimelineEvent[], untilMs: number): StateSpan[] {
  const ordered = [...events].sort(byTimeThenId);
  const spans: StateSpan[] = [];
  let previousEnd = -Infinity;
  for (let i = 0; i < ordered.length && ordered[i].toState !== FINAL_STATE; i++) {
    const startMs = Math.max(ordered[i].atMs, previousEnd);
    const endMs = Math.min(i + 1 < ordered.length ? ordered[i + 1].atMs : untilMs, untilMs);
    if (endMs <= startMs) continue;
    spans.push({ state: ordered[i].toState, startMs, endMs });
    previousEnd = endMs;
  }
  return spans;
}

/** [startMs, endMs) cut at every UTC hour boundary inside it. */
export function splitAtHours(startMs: number, endMs: number): HourPiece[] {
  const pieces: HourPiece[] = [];
  for (let t = startMs; t < endMs;) {
    const hourMs = Math.floor(t / HOUR_MS) * HOUR_MS;
    const end = Math.min(endMs, hourMs + HOUR_MS);
    pieces.push({ hourMs, startMs: t, endMs: end });
    t = end;
  }
  return pieces;
}

/** Milliseconds spent in `states` per UTC hour, by hour. */
export function billedMsPerHour(spans: readonly StateSpan[], states: readonly string[]): { hourMs: number; ms: number }[] {
  const perHour = new Map<number, number>();
  for (const span of spans) {
    if (!states.includes(span.state)) continue;
    for (const p of splitAtHours(span.startMs, span.endMs)) perHour.set(p.hourMs, (perHour.get(p.hourMs) ?? 0) + p.endMs - p.startMs);
  }
  return [...perHour].sort((a, b) => a[0] - b[0]).map(([hourMs, ms]) => ({ hourMs, ms }));
}

/** Each hour's quantity in micro-units, rounding telescoped over the subject's cumulative time. */
export function hourQuantities(msPerHour: readonly { hourMs: number; ms: number }[], rate: Rate): { hourMs: number; micro: bigint }[] {
  let billedMs = 0n;
  let roundedSoFar = 0n;
  return msPerHour.map(({ hourMs, ms }) => {
    billedMs += BigInt(ms);
    const rounded = microUnits(rate, billedMs);
    const micro = rounded - roundedSoFar;
    roundedSoFar = rounded;
    return { hourMs, micro };
  });
}

export type SessionResources = { vcpu: number; memoryMib: number; gpus: number };

/** Per-millisecond rates of the session meters: vCPU-seconds, GiB-seconds (1 GiB = 1024 MiB), GPU-seconds. */
export function sessionRates({ vcpu, memoryMib, gpus }: SessionResources): Record<SessionMeter, Rate> {
  const v = rationalOf(vcpu);
  return {
    vcpu_seconds: { num: v.num, den: v.den * 1000n },
    memory_gib_seconds: { num: BigInt(memoryMib), den: 1024n * 1000n },
    gpu_seconds: { num: BigInt(gpus), den: 1000n },
  };
}

/** GiB-hours per millisecond of a snapshot of `storedBytes` (1 GiB = 2^30 bytes). */
export const snapshotRate = (storedBytes: bigint): Rate => ({ num: storedBytes, den: (1n << 30n) * BigInt(HOUR_MS) });

/** A session's usage per meter and hour up to `untilMs`; hours with nothing to bill are left out. */
export function sessionUsage(resources: SessionResources, events: readonly TimelineEvent[], untilMs: number): UsagePiece[] {
  const spans = stateSpans(events, untilMs);
  const rates = sessionRates(resources);
  const pieces: UsagePiece[] = [];
  for (const meter of Object.keys(BILLED_STATES) as SessionMeter[]) {
    if (rates[meter].num === 0n) continue;
    for (const h of hourQuantities(billedMsPerHour(spans, BILLED_STATES[meter]), rates[meter])) {
      if (h.micro > 0n) pieces.push({ meter, hourMs: h.hourMs, micro: h.micro });
    }
  }
  return pieces;
}

export type StoredSnapshot = { storedBytes: bigint; createdAtMs: number; deletedAtMs: number | null };

/** A snapshot's storage per hour from its creation until its deletion (or `untilMs` while stored). */
export function snapshotUsage(snapshot: StoredSnapshot, untilMs: number): UsagePiece[] {
  const endMs = Math.min(snapshot.deletedAtMs ?? untilMs, untilMs);
  if (snapshot.storedBytes <= 0n || endMs <= snapshot.createdAtMs) return [];
  const spans = [{ state: "stored", startMs: snapshot.createdAtMs, endMs }];
  return hourQuantities(billedMsPerHour(spans, ["stored"]), snapshotRate(snapshot.storedBytes))
    .filter((h) => h.micro > 0n)
    .map((h) => ({ meter: "snapshot_gib_hours" as const, hourMs: h.hourMs, micro: h.micro }));
}

/** 1 GiB = 2^30 bytes: egress in GiB per byte. */
export const EGRESS_RATE: Rate = { num: 1n, den: 1n << 30n };

/**
 * A session's egress (bytes its sandbox sent out, per UTC hour as the runner recorded them) in
 * GiB, the rounding telescoped over its whole history like the time meters; hours from `untilMs`
 * on are left out.
 */
export function egressUsage(hours: readonly { hourMs: number; bytes: bigint }[], untilMs: number): UsagePiece[] {
  const counted = [...hours].filter((h) => h.hourMs < untilMs && h.bytes > 0n).sort((a, b) => a.hourMs - b.hourMs);
  return hourQuantities(counted.map((h) => ({ hourMs: h.hourMs, ms: Number(h.bytes) })), EGRESS_RATE)
    .filter((h) => h.micro > 0n)
    .map((h) => ({ meter: "network_egress_gib" as const, hourMs: h.hourMs, micro: h.micro }));
}
