import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  billedMsPerHour, EGRESS_RATE, egressUsage, HOUR_MS, hourQuantities, sessionRates, sessionUsage, snapshotRate, snapshotUsage, splitAtHours, stateSpans,
  type StateSpan, type TimelineEvent, type UsagePiece,
} from "./intervals";
import { formatQuantity, isExactMicro, microUnits, parseQuantity, rationalOf, type Rate } from "./quantity";

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0); // 09:00:00 UTC, an hour boundary
const S = 1000;
const MIN = 60 * S;
const STATES = ["pending", "starting", "running", "paused", "hibernating", "hibernated", "terminating", "failed"] as const;

const total = (pieces: UsagePiece[], meter: string) => pieces.filter((p) => p.meter === meter).reduce((a, p) => a + p.micro, 0n);
const byHour = (pieces: UsagePiece[], meter: string) => Object.fromEntries(pieces.filter((p) => p.meter === meter).map((p) => [new Date(p.hourMs).toISOString().slice(11, 16), formatQuantity(p.micro)]));

/** Events with unique ids at times within a few hours of T0, in any order. */
const eventsArb = fc.array(
  fc.record({ toState: fc.constantFrom(...STATES, "terminated"), atMs: fc.integer({ min: T0 - 2 * HOUR_MS, max: T0 + 5 * HOUR_MS }) }),
  { maxLength: 30 },
).map((evs) => evs.map((e, i) => ({ ...e, id: `sev_${String(i).padStart(4, "0")}` })));

function assertWellFormed(spans: StateSpan[], untilMs: number) {
  for (let i = 0; i < spans.length; i++) {
    expect(spans[i].endMs).toBeGreaterThan(spans[i].startMs);
    expect(spans[i].endMs).toBeLessThanOrEqual(untilMs);
    if (i > 0) expect(spans[i].startMs).toBeGreaterThanOrEqual(spans[i - 1].endMs);
  }
}

describe("state spans", () => {
  it("a known timeline: each event's state lasts until the next one, the last until `until`", () => {
    const events: TimelineEvent[] = [
      { id: "a", toState: "starting", atMs: T0 },
      { id: "b", toState: "running", atMs: T0 + 2 * S },
      { id: "c", toState: "paused", atMs: T0 + 10 * MIN },
    ];
    expect(stateSpans(events, T0 + HOUR_MS)).toEqual([
      { state: "starting", startMs: T0, endMs: T0 + 2 * S },
      { state: "running", startMs: T0 + 2 * S, endMs: T0 + 10 * MIN },
      { state: "paused", startMs: T0 + 10 * MIN, endMs: T0 + HOUR_MS },
    ]);
  });

  it("terminated is final: a skewed event stamped after it bills nothing", () => {
    const events: TimelineEvent[] = [
      { id: "a", toState: "running", atMs: T0 },
      { id: "b", toState: "terminated", atMs: T0 + MIN },
      { id: "c", toState: "running", atMs: T0 + 2 * MIN },
    ];
    expect(stateSpans(events, T0 + HOUR_MS)).toEqual([{ state: "running", startMs: T0, endMs: T0 + MIN }]);
  });

  it("events after `until` do not count, and a span never runs past it", () => {
    const events: TimelineEvent[] = [{ id: "a", toState: "running", atMs: T0 }, { id: "b", toState: "paused", atMs: T0 + 2 * HOUR_MS }];
    expect(stateSpans(events, T0 + HOUR_MS)).toEqual([{ state: "running", startMs: T0, endMs: T0 + HOUR_MS }]);
  });

  it("any input order gives the same spans, ordered, non-empty and non-overlapping", () => {
    fc.assert(fc.property(eventsArb, fc.integer({ min: T0, max: T0 + 6 * HOUR_MS }), fc.func(fc.integer()), (events, until, key) => {
      const shuffled = [...events].sort((a, b) => key(a.id) - key(b.id));
      const spans = stateSpans(events, until);
      assertWellFormed(spans, until);
      expect(stateSpans(shuffled, until)).toEqual(spans);
    }));
  });

  it("clock skew (any offsets on any events) never gives negative or overlapping usage", () => {
    const skewed = eventsArb.chain((events) =>
      fc.array(fc.integer({ min: -10 * MIN, max: 10 * MIN }), { minLength: events.length, maxLength: events.length })
        .map((offsets) => events.map((e, i) => ({ ...e, atMs: e.atMs + offsets[i] }))));
    fc.assert(fc.property(skewed, fc.integer({ min: T0, max: T0 + 6 * HOUR_MS }), (events, until) => {
      assertWellFormed(stateSpans(events, until), until);
      const usage = sessionUsage({ vcpu: 1.5, memoryMib: 1000, gpus: 2 }, events, until);
      const keys = new Set<string>();
      for (const p of usage) {
        expect(p.micro).toBeGreaterThan(0n);
        expect(p.hourMs % HOUR_MS).toBe(0);
        const key = `${p.meter}@${p.hourMs}`;
        expect(keys.has(key)).toBe(false);
        keys.add(key);
        // Nothing bills more than the whole hour at full rate (2 GPUs → 7200 GPU-seconds).
        if (p.meter === "gpu_seconds") expect(p.micro).toBeLessThanOrEqual(7200n * 1_000_000n);
      }
    }));
  });
});

describe("splitting at hour boundaries", () => {
  it("pieces are contiguous, never cross an hour boundary, and add up to the interval exactly", () => {
    fc.assert(fc.property(fc.integer({ min: -5 * HOUR_MS, max: 40 * HOUR_MS }), fc.integer({ min: 0, max: 30 * HOUR_MS }), (offset, length) => {
      const start = T0 + offset;
      const pieces = splitAtHours(start, start + length);
      let t = start;
      for (const p of pieces) {
        expect(p.startMs).toBe(t);
        expect(p.endMs).toBeGreaterThan(p.startMs);
        expect(p.startMs).toBeGreaterThanOrEqual(p.hourMs);
        expect(p.endMs).toBeLessThanOrEqual(p.hourMs + HOUR_MS);
        expect(p.hourMs % HOUR_MS).toBe(0);
        t = p.endMs;
      }
      expect(t).toBe(start + length);
      expect(pieces.reduce((a, p) => a + p.endMs - p.startMs, 0)).toBe(length);
    }));
  });

  it("billed milliseconds per hour equal a walk over every second of the timeline", () => {
    // Whole-second events so that walking seconds is exact.
    const secondsArb = fc.array(fc.record({ toState: fc.constantFrom(...STATES, "terminated"), atS: fc.integer({ min: 0, max: 3 * 3600 }) }), { maxLength: 12 })
      .map((evs) => evs.map((e, i) => ({ id: `e${String(i).padStart(3, "0")}`, toState: e.toState, atMs: T0 - 1800 * S + e.atS * S })));
    fc.assert(fc.property(secondsArb, fc.integer({ min: 0, max: 4 * 3600 }), (events, untilS) => {
      const until = T0 - 1800 * S + untilS * S;
      const ordered = [...events].sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : 1));
      const walked = new Map<number, number>();
      for (let t = T0 - 1800 * S; t < until; t += S) {
        const current = ordered.filter((e) => e.atMs <= t);
        if (current.some((e) => e.toState === "terminated") || current.length === 0) continue;
        const state = current[current.length - 1].toState;
        if (state === "running" || state === "paused") walked.set(Math.floor(t / HOUR_MS) * HOUR_MS, (walked.get(Math.floor(t / HOUR_MS) * HOUR_MS) ?? 0) + S);
      }
      const computed = billedMsPerHour(stateSpans(events, until), ["running", "paused"]);
      expect(Object.fromEntries(computed.map((h) => [h.hourMs, h.ms]))).toEqual(Object.fromEntries([...walked].sort((a, b) => a[0] - b[0])));
    }), { numRuns: 60 });
  });
});

describe("quantities", () => {
  const rateArb: fc.Arbitrary<Rate> = fc.oneof(
    fc.record({ vcpu: fc.integer({ min: 1, max: 640 }).map((n) => n / 10), memoryMib: fc.integer({ min: 64, max: 262_144 }), gpus: fc.integer({ min: 0, max: 16 }) })
      .chain((r) => fc.constantFrom(...Object.values(sessionRates(r)))),
    fc.bigInt({ min: 1n, max: 1n << 40n }).map(snapshotRate),
  );
  const hoursArb = fc.array(fc.integer({ min: 0, max: HOUR_MS }), { maxLength: 30 }).map((ms) => ms.map((m, i) => ({ hourMs: T0 + i * HOUR_MS, ms: m })));

  it("the hours of a subject add up to its exact total rounded once; each hour is within half a micro-unit", () => {
    fc.assert(fc.property(rateArb, hoursArb, (rate, hours) => {
      const quantities = hourQuantities(hours, rate);
      const totalMs = hours.reduce((a, h) => a + BigInt(h.ms), 0n);
      expect(quantities.reduce((a, q) => a + q.micro, 0n)).toBe(microUnits(rate, totalMs));
      for (const [i, q] of quantities.entries()) {
        expect(q.micro).toBeGreaterThanOrEqual(0n);
        // |micro − exact| < 1 micro-unit: compare micro·den with rate·ms·10^6, both as integers.
        const exactTimesDen = rate.num * BigInt(hours[i].ms) * 1_000_000n;
        const diff = q.micro * rate.den - exactTimesDen;
        expect(diff < rate.den && diff > -rate.den).toBe(true);
      }
    }));
  });

  it("recomputation is deterministic", () => {
    fc.assert(fc.property(eventsArb, fc.integer({ min: T0, max: T0 + 6 * HOUR_MS }), (events, until) => {
      const r = { vcpu: 0.3, memoryMib: 777, gpus: 1 };
      expect(sessionUsage(r, events, until)).toEqual(sessionUsage(r, structuredClone(events), until));
    }));
  });

  it("rates are exact decimals: 0.1 vCPU is a tenth, not the double nearest to it", () => {
    expect(rationalOf(0.1)).toEqual({ num: 1n, den: 10n });
    expect(rationalOf(2)).toEqual({ num: 2n, den: 1n });
    expect(rationalOf(1e-7)).toEqual({ num: 1n, den: 10_000_000n });
    expect(rationalOf(1.5e21)).toEqual({ num: 1_500_000_000_000_000_000_000n, den: 1n });
    expect(() => rationalOf(-1)).toThrow();
    // Whole-millisecond usage of 1 vCPU, 256 MiB or a GPU is exact at 6 decimals: nothing is rounded.
    const r = sessionRates({ vcpu: 1, memoryMib: 256, gpus: 1 });
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (ms) => {
      expect(isExactMicro(r.vcpu_seconds, ms) && isExactMicro(r.memory_gib_seconds, ms) && isExactMicro(r.gpu_seconds, ms)).toBe(true);
    }));
  });

  it("quantities format and parse back exactly", () => {
    expect(formatQuantity(5_415_000_000n)).toBe("5415");
    expect(formatQuantity(1_500_000n)).toBe("1.5");
    expect(formatQuantity(1n)).toBe("0.000001");
    expect(parseQuantity("5415.000000")).toBe(5_415_000_000n);
    expect(() => parseQuantity("1.0000001")).toThrow();
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (n) => {
      expect(parseQuantity(formatQuantity(n))).toBe(n);
    }));
  });
});

describe("a known timeline, to the second", () => {
  // 09:40:00 starting, 09:40:02 running (90 min 15 s) → 11:10:17 paused (10 min) → 11:20:17
  // hibernating → 11:20:20 hibernated (snapshot of 3 GiB kept 2 h) → 13:20:20 terminated.
  const at = (h: number, m: number, s: number) => Date.UTC(2026, 10, 23, h, m, s);
  const events: TimelineEvent[] = [
    { id: "1", toState: "pending", atMs: at(9, 39, 59) },
    { id: "2", toState: "starting", atMs: at(9, 40, 0) },
    { id: "3", toState: "running", atMs: at(9, 40, 2) },
    { id: "4", toState: "paused", atMs: at(11, 10, 17) },
    { id: "5", toState: "hibernating", atMs: at(11, 20, 17) },
    { id: "6", toState: "hibernated", atMs: at(11, 20, 20) },
    { id: "7", toState: "terminating", atMs: at(13, 20, 20) },
    { id: "8", toState: "terminated", atMs: at(13, 20, 21) },
  ];
  const usage = sessionUsage({ vcpu: 2, memoryMib: 1536, gpus: 1 }, events, at(23, 0, 0));

  it("vCPU and GPU while running, memory while running and paused, split at each hour", () => {
    // Running 09:40:02–11:10:17 = 5415 s: 1198 s, 3600 s, 617 s.
    expect(byHour(usage, "vcpu_seconds")).toEqual({ "09:00": "2396", "10:00": "7200", "11:00": "1234" });
    expect(byHour(usage, "gpu_seconds")).toEqual({ "09:00": "1198", "10:00": "3600", "11:00": "617" });
    expect(total(usage, "vcpu_seconds")).toBe(2n * 5415n * 1_000_000n);
    // 1.5 GiB × (5415 s running + 600 s paused).
    expect(byHour(usage, "memory_gib_seconds")).toEqual({ "09:00": "1797", "10:00": "5400", "11:00": "1825.5" });
    expect(total(usage, "memory_gib_seconds")).toBe(parseQuantity("9022.5"));
  });

  it("a 3 GiB snapshot stored 2 h is 6 GiB-hours, split at each hour", () => {
    const snapshot = snapshotUsage({ storedBytes: 3n << 30n, createdAtMs: at(11, 20, 20), deletedAtMs: at(13, 20, 20) }, at(23, 0, 0));
    expect(total(snapshot, "snapshot_gib_hours")).toBe(6_000_000n);
    // 39 min 40 s, 60 min, 20 min 20 s of 3 GiB.
    expect(byHour(snapshot, "snapshot_gib_hours")).toEqual({ "11:00": "1.983333", "12:00": "3", "13:00": "1.016667" });
    // Still stored: counted up to `until`; nothing before creation or without bytes.
    expect(total(snapshotUsage({ storedBytes: 1n << 30n, createdAtMs: at(11, 0, 0), deletedAtMs: null }, at(11, 30, 0)), "snapshot_gib_hours")).toBe(500_000n);
    expect(snapshotUsage({ storedBytes: 0n, createdAtMs: at(11, 0, 0), deletedAtMs: null }, at(12, 0, 0))).toEqual([]);
  });
});

describe("egress", () => {
  it("bytes per hour become GiB, rounded once over the session's total", () => {
    const GiB = 1n << 30n;
    // 1.5 GiB, then a third of a GiB twice: each hour is within half a micro-GiB, the total exact-rounded once.
    const third = GiB / 3n;
    const pieces = egressUsage([{ hourMs: T0 + HOUR_MS, bytes: third }, { hourMs: T0, bytes: GiB + GiB / 2n }, { hourMs: T0 + 2 * HOUR_MS, bytes: third }], T0 + 3 * HOUR_MS);
    expect(byHour(pieces, "network_egress_gib")).toEqual({ "09:00": "1.5", "10:00": "0.333333", "11:00": "0.333334" });
    expect(total(pieces, "network_egress_gib")).toBe(microUnits(EGRESS_RATE, GiB + GiB / 2n + 2n * third));
    // Hours from `until` on, and empty hours, bill nothing.
    expect(egressUsage([{ hourMs: T0, bytes: 0n }, { hourMs: T0 + HOUR_MS, bytes: GiB }], T0 + HOUR_MS)).toEqual([]);
  });
});
