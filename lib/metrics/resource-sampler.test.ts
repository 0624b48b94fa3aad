import { describe, expect, it } from "vitest";
import type { SandboxStats } from "../sandbox/types";
import { createResourceSampler } from "./resource-sampler";
import type { SessionMetricRow } from "./write-session-metrics";

function harness(statsById: Record<string, SandboxStats | Error>) {
  let clock = 0;
  const written: SessionMetricRow[][] = [];
  const busy: string[] = [];
  const logs: string[] = [];
  const sampler = createResourceSampler({
    stats: async (id) => {
      const s = statsById[id];
      if (s instanceof Error) throw s;
      return { ...s };
    },
    onBusy: async (id) => void busy.push(id),
    busyVcpu: 0.05,
    write: async (rows) => void written.push(rows),
    log: (m) => logs.push(m),
    now: () => clock,
  });
  return { sampler, written, busy, logs, advance: (ms: number) => (clock += ms), statsById };
}

const session = (id: string, state = "running") => ({ id, tenantId: "ten_1", state });

describe("createResourceSampler", () => {
  it("writes one batch per tick with vCPU since the previous tick, from the second tick on", async () => {
    const h = harness({ a: { cpuSeconds: 10, memoryBytes: 1000, pids: 3 }, b: { cpuSeconds: 0, memoryBytes: 50, pids: 1 } });
    expect(await h.sampler.sampleOnce([session("a"), session("b")])).toEqual({ written: 0, failed: 0, busy: 0 });
    h.advance(5_000);
    h.statsById.a = { cpuSeconds: 15, memoryBytes: 2000, pids: 4 };
    expect(await h.sampler.sampleOnce([session("a"), session("b")])).toEqual({ written: 2, failed: 0, busy: 1 });
    expect(h.written).toHaveLength(2);
    const rows = [...h.written[1]].sort((x, y) => x.sessionId.localeCompare(y.sessionId));
    expect(rows).toEqual([
      { sessionId: "a", tenantId: "ten_1", at: new Date(5_000), cpuVcpu: 1, memoryBytes: 2000, pids: 4 },
      { sessionId: "b", tenantId: "ten_1", at: new Date(5_000), cpuVcpu: 0, memoryBytes: 50, pids: 1 },
    ]);
    expect(h.busy).toEqual(["a"]);
  });

  it("keeps sampling the others when one sandbox cannot be read", async () => {
    const h = harness({ a: { cpuSeconds: 1, memoryBytes: 1, pids: 1 }, broken: new Error("container not found"), c: { cpuSeconds: 1, memoryBytes: 1, pids: 1 } });
    const all = [session("a"), session("broken"), session("c")];
    await h.sampler.sampleOnce(all);
    h.advance(5_000);
    expect(await h.sampler.sampleOnce(all)).toEqual({ written: 2, failed: 1, busy: 0 });
    expect(h.written[1].map((r) => r.sessionId).sort()).toEqual(["a", "c"]);
    expect(h.logs.join("\n")).toContain("broken: container not found");
  });

  it("samples paused sessions without calling them busy, and skips other states", async () => {
    const h = harness({ p: { cpuSeconds: 1, memoryBytes: 9, pids: 2 }, h: new Error("no sandbox") });
    const all = [session("p", "paused"), session("h", "hibernated")];
    await h.sampler.sampleOnce(all);
    h.advance(5_000);
    h.statsById.p = { cpuSeconds: 2, memoryBytes: 9, pids: 2 };
    expect(await h.sampler.sampleOnce(all)).toEqual({ written: 1, failed: 0, busy: 0 });
  });

  it("starts a new baseline when the CPU counter goes back (sandbox recreated after a wake)", async () => {
    const h = harness({ a: { cpuSeconds: 100, memoryBytes: 1, pids: 1 } });
    await h.sampler.sampleOnce([session("a")]);
    h.advance(5_000);
    h.statsById.a = { cpuSeconds: 0.5, memoryBytes: 1, pids: 1 };
    expect((await h.sampler.sampleOnce([session("a")])).written).toBe(0);
    h.advance(5_000);
    h.statsById.a = { cpuSeconds: 1.5, memoryBytes: 1, pids: 1 };
    await h.sampler.sampleOnce([session("a")]);
    expect(h.written[2][0].cpuVcpu).toBeCloseTo(0.2);
  });

  it("forgets a session that left running/paused, so its next run starts a fresh baseline", async () => {
    const h = harness({ a: { cpuSeconds: 1, memoryBytes: 1, pids: 1 } });
    await h.sampler.sampleOnce([session("a")]);
    h.advance(5_000);
    await h.sampler.sampleOnce([session("a", "hibernated")]);
    h.advance(5_000);
    h.statsById.a = { cpuSeconds: 50, memoryBytes: 1, pids: 1 };
    expect((await h.sampler.sampleOnce([session("a")])).written).toBe(0);
  });
});
