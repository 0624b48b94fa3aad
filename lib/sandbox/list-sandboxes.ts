// The sandboxes of this backend that the runtime knows about: containers named burrow-<id> whose
// bundle lies under this backend's state dir (another backend on the same host, e.g. a parallel
// test run, has its own). The runner adopts or removes them after a restart.
import path from "node:path";
import type { BackendContext } from "./backend-context";
import { toSandboxStatus } from "./container-state";
import { runRuntime } from "./run-runtime";
import { sandboxIdOf } from "./sandbox-layout";
import type { SandboxListEntry } from "./types";

export async function listSandboxes(ctx: BackendContext): Promise<SandboxListEntry[]> {
  const { stdout } = await runRuntime(ctx.runtime, ["list", "--format", "json"], "list");
  const containers = (JSON.parse(stdout || "null") ?? []) as { id: string; status: string; bundle?: string }[];
  const under = `${path.resolve(ctx.stateDir)}/`;
  const out: SandboxListEntry[] = [];
  for (const c of containers) {
    const id = sandboxIdOf(c.id);
    if (!id || !c.bundle || !path.resolve(c.bundle).startsWith(under)) continue;
    out.push({ id, status: toSandboxStatus(c.status) });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
