// Data and the baseline of the usage-rollup benchmark: seeded session timelines (whole seconds,
// crossing hour boundaries: running, paused, hibernated with a snapshot, woken, terminated) and a
// brute-force recount that walks every second of every timeline on its own, without the
// metering code, to check the rollup's result against.

export type GeneratedSession = {
  id: string; tenantId: string; vcpu: number; memoryMib: number; gpus: number;
  events: { id: string; toState: string; atS: number }[];
};
export type GeneratedSnapshot = { id: string; tenantId: string; sessionId: string; storedBytes: bigint; createdS: number; deletedS: number };

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `total` split into `parts` positive whole numbers at random cut points. */
function splitSeconds(random: () => number, total: number, parts: number): number[] {
  const cuts = new Set<number>();
  while (cuts.size < parts - 1) cuts.add(1 + Math.floor(random() * (total - 1)));
  const points = [0, ...[...cuts].sort((a, b) => a - b), total];
  return points.slice(1).map((p, i) => p - points[i]);
}

// Three shapes of a life; the transitional steps take fixed whole seconds.
const SHAPES: { states: string[]; fixed: Record<number, number> }[] = [
  // run, pause, run, hibernate (snapshot), wake, run, terminate
  { states: ["starting", "running", "paused", "running", "hibernating", "hibernated", "starting", "running", "terminating"], fixed: { 0: 2, 4: 3, 6: 2, 8: 1 } },
  // run, pause, terminate
  { states: ["starting", "running", "paused", "terminating"], fixed: { 0: 2, 3: 1 } },
  // run, hibernate, terminated while hibernated (the snapshot is deleted then)
  { states: ["starting", "running", "hibernating", "hibernated", "terminating"], fixed: { 0: 2, 2: 3, 4: 1 } },
];

/**
 * `count` sessions of exactly `lifeS` seconds each (first event → terminated), starting at random
 * whole seconds in [baseS, baseS + spreadS). Resources are chosen so that every session meter is
 * exact at 6 decimals (quarter vCPUs, multiples of 256 MiB); snapshot sizes are not, so the
 * snapshot meter is rounded (once per snapshot).
 */
export function generateTimelines(opts: { count: number; lifeS: number; baseS: number; spreadS: number; tenantIds: string[]; seed: number; newId: (prefix: "ses" | "sev" | "snp", ms: number) => string }) {
  const random = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const sessions: GeneratedSession[] = [];
  const snapshots: GeneratedSnapshot[] = [];
  for (let i = 0; i < opts.count; i++) {
    const shape = SHAPES[i % 4 === 3 ? 1 + (i % 8 === 3 ? 0 : 1) : 0];
    const startS = opts.baseS + Math.floor(random() * opts.spreadS);
    const fixedTotal = Object.values(shape.fixed).reduce((a, b) => a + b, 0);
    const free = splitSeconds(random, opts.lifeS - fixedTotal, shape.states.length - Object.keys(shape.fixed).length);
    const durations = shape.states.map((_, k) => shape.fixed[k] ?? free.shift()!);
    const tenantId = opts.tenantIds[i % opts.tenantIds.length];
    const id = opts.newId("ses", startS * 1000);
    const events: GeneratedSession["events"] = [];
    let t = startS;
    for (const [k, state] of shape.states.entries()) {
      events.push({ id: opts.newId("sev", t * 1000), toState: state, atS: t });
      t += durations[k];
    }
    events.push({ id: opts.newId("sev", t * 1000), toState: "terminated", atS: t });
    sessions.push({ id, tenantId, vcpu: pick([0.25, 0.5, 1, 2]), memoryMib: pick([256, 512, 1024, 2048]), gpus: pick([0, 0, 0, 1]), events });
    const hibernated = shape.states.indexOf("hibernated");
    if (hibernated >= 0) {
      const createdS = events[hibernated].atS;
      snapshots.push({
        id: opts.newId("snp", createdS * 1000), tenantId, sessionId: id,
        storedBytes: BigInt(1 + Math.floor(random() * 8)) * (1n << 27n) + BigInt(Math.floor(random() * (1 << 20))),
        createdS, deletedS: events[hibernated + 1].atS + Math.floor(random() * 600),
      });
    }
  }
  return { sessions, snapshots };
}

const MICRO = 1_000_000n;
const HOUR_S = 3600;

/**
 * The baseline: for every second of every timeline, the state it is in (the last event at or
 * before it; nothing after terminated), counted per tenant, meter and hour in micro-units; every
 * second of every snapshot's storage, rounded once per snapshot, per tenant.
 */
export function bruteForceRecount(sessions: GeneratedSession[], snapshots: GeneratedSnapshot[], maxSeconds: number) {
  const cells = new Map<string, bigint>(); // `${tenant}|${meter}|${hourS}` → micro-units
  const add = (key: string, micro: bigint) => cells.set(key, (cells.get(key) ?? 0n) + micro);
  let walked = 0;
  for (const s of sessions) {
    const events = [...s.events].sort((a, b) => a.atS - b.atS || (a.id < b.id ? -1 : 1));
    const end = events.findIndex((e) => e.toState === "terminated");
    const lastS = end >= 0 ? events[end].atS : events[events.length - 1].atS;
    const running = new Map<number, number>();
    const paused = new Map<number, number>();
    let k = 0;
    for (let t = events[0].atS; t < lastS; t++) {
      if (++walked > maxSeconds) throw new Error(`more than ${maxSeconds} seconds to walk`);
      while (k + 1 < events.length && events[k + 1].atS <= t) k++;
      const hour = t - (t % HOUR_S);
      if (events[k].toState === "running") running.set(hour, (running.get(hour) ?? 0) + 1);
      else if (events[k].toState === "paused") paused.set(hour, (paused.get(hour) ?? 0) + 1);
    }
    const vcpuMicro = BigInt(Math.round(s.vcpu * 4)) * (MICRO / 4n); // quarter vCPUs: exact
    for (const [hour, secs] of running) {
      add(`${s.tenantId}|vcpu_seconds|${hour}`, vcpuMicro * BigInt(secs));
      if (s.gpus > 0) add(`${s.tenantId}|gpu_seconds|${hour}`, BigInt(s.gpus) * MICRO * BigInt(secs));
    }
    for (const hour of new Set([...running.keys(), ...paused.keys()])) {
      const secs = BigInt((running.get(hour) ?? 0) + (paused.get(hour) ?? 0));
      add(`${s.tenantId}|memory_gib_seconds|${hour}`, (BigInt(s.memoryMib) * MICRO * secs) / 1024n); // multiples of 256 MiB: exact
    }
  }
  const snapshotTotals = new Map<string, bigint>();
  for (const sn of snapshots) {
    let secs = 0n;
    for (let t = sn.createdS; t < sn.deletedS; t++) {
      if (++walked > maxSeconds) throw new Error(`more than ${maxSeconds} seconds to walk`);
      secs++;
    }
    const den = (1n << 30n) * BigInt(HOUR_S);
    const micro = (sn.storedBytes * secs * MICRO * 2n + den) / (2n * den); // half up, once per snapshot
    snapshotTotals.set(sn.tenantId, (snapshotTotals.get(sn.tenantId) ?? 0n) + micro);
  }
  return { cells, snapshotTotals, walked };
}
