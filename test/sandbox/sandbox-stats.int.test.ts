// A sandbox's CPU, memory and pids come from its cgroup files, with no runtime process on the
// sampling path: a backend whose runtime binary does not exist still reads them. The figures agree
// with what `runc events --stats` reports (run here only to compare) and follow real work.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createRuncBackend } from "@/lib/sandbox";
import { RUNTIME, sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
const MIB = 1024 * 1024;

type RuncStats = { data: { cpu: { usage: { total: number } }; memory: { usage: { usage: number } }; pids: { current: number } } };

function runcEventsStats(containerId: string) {
  const { data } = JSON.parse(execFileSync(RUNTIME, ["events", "--stats", containerId], { encoding: "utf8" })) as RuncStats;
  return { cpuSeconds: data.cpu.usage.total / 1e9, memoryBytes: data.memory.usage.usage, pids: data.pids.current };
}

describe("sandbox stats from cgroup files", () => {
  it("need no runtime process, match runc's own figures and grow with CPU, memory and processes", async () => {
    const { id } = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 256 } });
    // Same state directory, no runtime binary: any `runc` on the stats path would fail here.
    const noRuntime = createRuncBackend({ stateDir: sandboxes.stateDir, runtimeBinary: "/nonexistent/runc" });
    const stats = () => noRuntime.stats(id);

    const before = await stats();
    const runc = runcEventsStats(`burrow-${id}`);
    const after = await stats();
    expect(runc.pids).toBe(before.pids);
    expect(runc.cpuSeconds).toBeGreaterThanOrEqual(before.cpuSeconds);
    expect(runc.cpuSeconds).toBeLessThanOrEqual(after.cpuSeconds);
    expect(Math.abs(runc.memoryBytes - before.memoryBytes)).toBeLessThan(4 * MIB);
    expect(before.pids).toBeGreaterThanOrEqual(1);

    // CPU: a busy loop of about a second inside the sandbox.
    await sh(sandboxes.backend, id, "end=$(( $(date +%s) + 1 )); while [ $(date +%s) -le $end ]; do :; done");
    const busy = await stats();
    expect(busy.cpuSeconds - after.cpuSeconds).toBeGreaterThan(0.3);

    // Memory: 40 MiB in /dev/shm (tmpfs, charged to the sandbox's cgroup and kept there).
    await sh(sandboxes.backend, id, "dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null");
    const filled = await stats();
    expect(filled.memoryBytes - after.memoryBytes).toBeGreaterThan(30 * MIB);
    expect(Math.abs(runcEventsStats(`burrow-${id}`).memoryBytes - filled.memoryBytes)).toBeLessThan(4 * MIB);

    // Pids: a background sleeper.
    await sh(sandboxes.backend, id, "sleep 60 >/dev/null 2>&1 </dev/null &");
    expect((await stats()).pids).toBe(after.pids + 1);

    // Paused (frozen) sandboxes are read the same way.
    await sandboxes.backend.pause(id);
    expect((await stats()).pids).toBe(after.pids + 1);
    await sandboxes.backend.resume(id);
  });

  it("answers not_found once the sandbox is gone", async () => {
    const { id } = await sandboxes.start();
    expect((await sandboxes.backend.stats(id)).pids).toBeGreaterThanOrEqual(1);
    await sandboxes.backend.destroy(id);
    sandboxes.forget(id);
    await expect(sandboxes.backend.stats(id)).rejects.toMatchObject({ code: "not_found" });
  });
});
