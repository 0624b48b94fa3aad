import { describe, expect, it } from "vitest";
import { sessionUsage, snapshotUsage } from "../lib/usage/intervals";
import { bruteForceRecount, generateTimelines } from "./usage-rollup-timelines";

let n = 0;
const newId = (prefix: string, ms: number) => `${prefix}_${String(ms).padStart(16, "0")}${String(n++).padStart(8, "0")}`;

describe("usage-rollup bench data and baseline", () => {
  const baseS = Date.UTC(2026, 10, 23, 3, 0, 0) / 1000 + 17;
  const { sessions, snapshots } = generateTimelines({ count: 400, lifeS: 1000, baseS, spreadS: 6 * 3600, tenantIds: ["ten_a", "ten_b", "ten_c"], seed: 7, newId });

  it("every session lives exactly lifeS seconds; some hibernate with a snapshot, timelines cross hours", () => {
    for (const s of sessions) expect(s.events.at(-1)!.atS - s.events[0].atS).toBe(1000);
    expect(snapshots.length).toBeGreaterThan(200);
    expect(sessions.some((s) => Math.floor(s.events[0].atS / 3600) !== Math.floor(s.events.at(-1)!.atS / 3600))).toBe(true);
  });

  it("the per-second recount equals the metering code on the same timelines", () => {
    const brute = bruteForceRecount(sessions, snapshots, 10_000_000);
    const cells = new Map<string, bigint>();
    const snapshotTotals = new Map<string, bigint>();
    const untilMs = (baseS + 10 * 3600) * 1000;
    for (const s of sessions) {
      const events = s.events.map((e) => ({ id: e.id, toState: e.toState, atMs: e.atS * 1000 }));
      for (const p of sessionUsage(s, events, untilMs)) {
        const key = `${s.tenantId}|${p.meter}|${p.hourMs / 1000}`;
        cells.set(key, (cells.get(key) ?? 0n) + p.micro);
      }
    }
    for (const sn of snapshots) {
      for (const p of snapshotUsage({ storedBytes: sn.storedBytes, createdAtMs: sn.createdS * 1000, deletedAtMs: sn.deletedS * 1000 }, untilMs)) {
        snapshotTotals.set(sn.tenantId, (snapshotTotals.get(sn.tenantId) ?? 0n) + p.micro);
      }
    }
    expect(cells).toEqual(brute.cells);
    expect(snapshotTotals).toEqual(brute.snapshotTotals);
  });
});
