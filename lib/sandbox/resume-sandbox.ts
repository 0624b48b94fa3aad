// Thaw a paused sandbox. Idempotent: resuming a running sandbox is a no-op.
import { sandboxHandle, type BackendContext } from "./backend-context";
import { containerState } from "./container-state";
import { runCommand, runtimeFailure } from "./run-runtime";
import { SandboxError } from "./sandbox-error";

export async function resumeSandbox(ctx: BackendContext, id: string): Promise<void> {
  const h = sandboxHandle(ctx, id);
  await ctx.locks.run(id, async () => {
    const result = await runCommand(ctx.runtime, ["resume", h.containerId]);
    if (result.exitCode === 0) return;
    const state = await containerState(ctx.runtime, h.containerId);
    if (!state) throw new SandboxError("not_found", "resume: sandbox not found");
    if (state.status !== "running") throw runtimeFailure("resume", result.stderr);
  });
}
