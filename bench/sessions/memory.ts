// F. host memory per idle running and per paused sandbox.
import { type RawContainer, type RawRunc, runcMemoryBytes } from "../lib/raw-runc";
import { round } from "../lib/stats";
import { checkAborted, forEachLimit, memAvailableSampled, msg, r3, sleep } from "./helpers";
import type { Log, SessionsParams } from "./params";
import type { Api } from "./tiers";

export async function phaseMemory(api: Api, raw: RawRunc, p: SessionsParams, log: Log, signal?: AbortSignal) {
  const k = p.memorySessions;
  const settle = () => sleep(3000);
  const cgroupSum = async (ids: string[]) => {
    let sum = 0;
    for (const cid of ids) sum += await runcMemoryBytes(cid);
    return sum;
  };
  const MiB = 2 ** 20;

  /**
   * Host MemAvailable before the sandboxes start, while running, while paused, and after they are
   * gone again; the drop per sandbox is taken against the mean of before and after, so a steady
   * drift of the rest of the host (GC, page cache) cancels out; the drift itself is reported.
   */
  const measure = async (label: string, tier: {
    start: () => Promise<string[]>;
    pause: () => Promise<void>;
    stop: () => Promise<void>;
  }) => {
    log(`F: ${k} idle ${label}: MemAvailable and cgroup memory, running then paused`);
    await settle();
    const before = await memAvailableSampled();
    let m: { running: number; paused: number; cgRunning: number; cgPaused: number };
    try {
      const containerIds = await tier.start();
      await settle();
      const running = await memAvailableSampled();
      const cgRunning = await cgroupSum(containerIds);
      await tier.pause();
      await settle();
      const paused = await memAvailableSampled();
      const cgPaused = await cgroupSum(containerIds);
      m = { running, paused, cgRunning, cgPaused };
    } finally {
      await tier.stop();
    }
    checkAborted(signal);
    await settle();
    const after = await memAvailableSampled();
    const base = (before + after) / 2;
    return {
      cgroupMiBPerSandbox: { running: round(m.cgRunning / k / MiB, 3), paused: round(m.cgPaused / k / MiB, 3) },
      hostMemAvailableDropMiBPerSandbox: { running: round((base - m.running) / k / MiB, 2), paused: round((base - m.paused) / k / MiB, 2) },
      hostMemAvailableDriftMiB: round((after - before) / MiB, 1),
      raw: { beforeMiB: round(before / MiB, 1), runningMiB: round(m.running / MiB, 1), pausedMiB: round(m.paused / MiB, 1), afterMiB: round(after / MiB, 1) },
    };
  };

  const ids: string[] = [];
  const apiMem = await measure("API sessions", {
    start: async () => {
      for (let i = 0; i < k; i++) ids.push(await api.create(p.memoryMib, p.vcpu));
      for (const id of ids) await api.exec(id, ["true"]);
      return ids.map((id) => `burrow-${id}`);
    },
    pause: async () => {
      for (const id of ids) await api.http.ok("POST", `/api/v1/sessions/${id}/pause`);
      for (const id of ids) await api.waitFor(id, ["paused"], 60_000, 50);
    },
    stop: () => forEachLimit(ids, 8, (id) => api.terminate(id, true, 50).catch((e) => log(`F: terminate ${id}: ${msg(e)}`))),
  });
  const cs: RawContainer[] = [];
  const rawMem = await measure("raw containers", {
    start: async () => {
      for (let i = 0; i < k; i++) {
        const c = raw.prepare({ memoryMib: p.memoryMib });
        cs.push(c);
        await raw.run(c);
        await raw.exec(c, ["true"]);
      }
      return cs.map((c) => c.id);
    },
    pause: async () => {
      for (const c of cs) await raw.pause(c);
    },
    stop: () => forEachLimit(cs, 8, (c) => raw.remove(c).catch(() => {})),
  });
  log(`F: cgroup MiB per sandbox running/paused: API ${apiMem.cgroupMiBPerSandbox.running}/${apiMem.cgroupMiBPerSandbox.paused}, raw ${rawMem.cgroupMiBPerSandbox.running}/${rawMem.cgroupMiBPerSandbox.paused}`);
  const rr = (a: number | null, b: number | null) => r3(a ?? NaN, b ?? NaN);
  return {
    sandboxes: k,
    what: "K sandboxes started and exec'd once (API: POST /sessions + exec; raw: runc run -d + exec), 3 s settle, measured; paused (API: POST /pause → paused; raw: runc pause), 3 s settle, measured; then removed, 3 s settle, measured. cgroup: sum of the sandboxes' cgroup memory usage (runc events --stats: their processes, page cache and kernel memory charged to them). host: drop of /proc/meminfo MemAvailable (median of 5 samples) against the mean of before and after, i.e. everything on the host, including the runner's own growth and noise from other processes",
    api: apiMem,
    raw: rawMem,
    ratios: {
      cgroupRunning: rr(apiMem.cgroupMiBPerSandbox.running, rawMem.cgroupMiBPerSandbox.running),
      cgroupPaused: rr(apiMem.cgroupMiBPerSandbox.paused, rawMem.cgroupMiBPerSandbox.paused),
      hostRunning: rr(apiMem.hostMemAvailableDropMiBPerSandbox.running, rawMem.hostMemAvailableDropMiBPerSandbox.running),
      hostPaused: rr(apiMem.hostMemAvailableDropMiBPerSandbox.paused, rawMem.hostMemAvailableDropMiBPerSandbox.paused),
    },
  };
}
