// Remove a sandbox: kill and delete the container, unmount its root overlay, delete its files
// (or, with keepFiles, everything but upper/ and workspace/). Succeeds when it is already gone.
import fs from "node:fs/promises";
import path from "node:path";
import { sandboxHandle, type BackendContext } from "./backend-context";
import { unmountAllUnder } from "./overlay-mount";
import { runCommand, runtimeFailure, runtimeMessage } from "./run-runtime";

export async function destroySandbox(ctx: BackendContext, id: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
  const h = sandboxHandle(ctx, id);
  await ctx.locks.run(id, async () => {
    // --force kills a running or paused container (runc thaws it to let the kill land).
    const deleted = await runCommand(ctx.runtime, ["delete", "--force", h.containerId]);
    if (deleted.exitCode !== 0 && !/does not exist|not found/i.test(runtimeMessage(deleted.stderr))) {
      throw runtimeFailure("delete", deleted.stderr);
    }
    // Never remove files while anything below is still mounted: that would reach into the mount.
    await unmountAllUnder(h.layout.root);
    if (!opts.keepFiles) {
      await fs.rm(h.layout.root, { recursive: true, force: true });
      return;
    }
    const keep = new Set([h.layout.upper, h.layout.workspace]);
    const entries = await fs.readdir(h.layout.root).catch(() => [] as string[]);
    for (const name of entries) {
      const full = path.join(h.layout.root, name);
      if (!keep.has(full)) await fs.rm(full, { recursive: true, force: true });
    }
  });
}
