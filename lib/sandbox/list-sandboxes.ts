// The sandboxes of this backend that the runtime knows about: containers named burrow-<id> whose
// bundle lies under this backend's state dir (another backend on the same host, e.g. a parallel
// test run, has its own). The runner adopts or removes them after a restart.
import path from "node:path";
import type { BackendContext } from "./backend-context";
import { toSandboxStatus } from "./container-state";
import { runRuntime } from "./run-runtime";
import { sandboxIdOf } from "./sandbox-layout";
import { sessionIdsBySandbox } from "./sandbox-claims";
import type { SandboxListEntry } from "./types";

/** `runc list` reads each container's state in turn and fails when one is deleted meanwhile. */
const VANISHED = /no such file or directory/i;
const LIST_ATTEMPTS = 5;

async function runtimeList(ctx: BackendContext): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await runRuntime(ctx.runtime, ["list", "--format", "json"], "list")).stdout;
    } catch (err) {
      // Another sandbox on this host (this runner's, or a parallel one's) went away mid-list: ask again.
      if (attempt >= LIST_ATTEMPTS || !VANISHED.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

export async function listSandboxes(ctx: BackendContext): Promise<SandboxListEntry[]> {
  const stdout = await runtimeList(ctx);
  const containers = (JSON.parse(stdout || "null") ?? []) as { id: string; status: string; bundle?: string }[];
  const under = `${path.resolve(ctx.stateDir)}/`;
  const out: SandboxListEntry[] = [];
  const claimedBy = sessionIdsBySandbox(ctx.claims); // a claimed pooled container is listed as its session
  for (const c of containers) {
    const raw = sandboxIdOf(c.id);
    const id = raw ? (claimedBy.get(raw) ?? raw) : null;
    if (!id || !c.bundle || !path.resolve(c.bundle).startsWith(under)) continue;
    out.push({ id, status: toSandboxStatus(c.status) });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
