// CPU time, memory and process count of a sandbox from its cgroup, through `runc events --stats`
// so cgroup v1 and v2 (and their paths) stay the runtime's business.
import { sandboxHandle, type BackendContext } from "./backend-context";
import { runRuntime } from "./run-runtime";
import type { SandboxStats } from "./types";

type RuncStats = { data?: { cpu?: { usage?: { total?: number } }; memory?: { usage?: { usage?: number } }; pids?: { current?: number } } };

export async function sandboxStats(ctx: BackendContext, id: string): Promise<SandboxStats> {
  const h = sandboxHandle(ctx, id);
  const { stdout } = await runRuntime(ctx.runtime, ["events", "--stats", h.containerId], "stats");
  return parseRuncStats(stdout);
}

export function parseRuncStats(json: string): SandboxStats {
  const data = (JSON.parse(json) as RuncStats).data ?? {};
  return {
    cpuSeconds: (data.cpu?.usage?.total ?? 0) / 1e9,
    memoryBytes: data.memory?.usage?.usage ?? 0,
    pids: data.pids?.current ?? 0,
  };
}
