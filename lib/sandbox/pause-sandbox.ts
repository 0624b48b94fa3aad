// Freeze every process of a sandbox (cgroup freezer): memory stays, CPU use stops. Idempotent.
// An exec into a paused sandbox fails at once with not_running (runc refuses it); it does not wait.
import { sandboxHandle, type BackendContext } from "./backend-context";
import { containerState } from "./container-state";
import { runCommand, runtimeFailure } from "./run-runtime";
import { SandboxError } from "./sandbox-error";

export async function pauseSandbox(ctx: BackendContext, id: string): Promise<void> {
  const h = sandboxHandle(ctx, id);
  await ctx.locks.run(id, async () => {
    const result = await runCommand(ctx.runtime, ["pause", h.containerId]);
    if (result.exitCode === 0) return;
    const state = await containerState(ctx.runtime, h.containerId);
    if (!state) throw new SandboxError("not_found", "pause: sandbox not found");
    if (state.status !== "paused") throw runtimeFailure("pause", result.stderr);
  });
}
