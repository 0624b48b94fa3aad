// Remove a sandbox: kill and delete the container, unmount its root overlay and disk image, delete
// its files (or, with keepFiles, everything but the writable area: disk/ and disk.img). Succeeds
// when it is already gone.
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { sandboxHandle, type BackendContext } from "./backend-context";
import { containerState } from "./container-state";
import { unmountAllUnder } from "./overlay-mount";
import { runCommand, runtimeFailure, runtimeMessage } from "./run-runtime";
import { ensureSessionDisk, MIN_DISK_MIB } from "./session-disk";
import { waitForExit } from "./wait-for-exit";
import { CLAIM_FILE } from "./sandbox-claims";

/** Past this, `delete --force` takes over (and waits in its own way). */
const KILL_WAIT_MS = 2_000;

export async function destroySandbox(ctx: BackendContext, id: string, opts: { keepFiles?: boolean } = {}): Promise<void> {
  const h = sandboxHandle(ctx, id);
  ctx.cgroupPaths.delete(id);
  await ctx.locks.run(id, async () => {
    // Kill, wait for the init to die, then delete: `delete --force` on a live container sleeps in
    // 100 ms steps, while a dead (zombie) init already counts as stopped. Frozen processes cannot
    // die (cgroup v1 freezer), so a paused sandbox is thawed first.
    const state = await containerState(ctx.runtime, h.containerId);
    // A paused sandbox is killed while still frozen (`kill --all` signals every process of the
    // cgroup, then thaws it): a pending SIGKILL ends each process before it runs another
    // instruction, so nothing writes to the files after a snapshot of the frozen tree.
    const killedFrozen = state?.status === "paused" && (await runCommand(ctx.runtime, ["kill", "--all", h.containerId, "KILL"])).exitCode === 0;
    if (state?.status === "paused" && !killedFrozen) await runCommand(ctx.runtime, ["resume", h.containerId]);
    if (state && state.status !== "stopped") {
      if (!killedFrozen) await runCommand(ctx.runtime, ["kill", h.containerId, "KILL"]);
      await waitForExit(state.pid, KILL_WAIT_MS);
    }
    // No container: nothing to delete (a second `runc` call saved on every start and wake).
    const deleted = state ? await runCommand(ctx.runtime, ["delete", "--force", h.containerId]) : null;
    if (deleted && deleted.exitCode !== 0 && !/does not exist|not found/i.test(runtimeMessage(deleted.stderr))) {
      throw runtimeFailure("delete", deleted.stderr);
    }
    // No process holds the namespace now: its veth, address and rules go with it.
    await ctx.network?.detach(id);
    // Never remove files while anything below is still mounted: that would reach into the mount.
    await unmountAllUnder(h.layout.root);
    if (!opts.keepFiles) {
      await fs.rm(h.layout.root, { recursive: true, force: true });
      ctx.claims.delete(id); // a pooled sandbox is used once: gone with its session
      return;
    }
    // upper/ and workspace/ by name too: a sandbox from before disk images has them in its root.
    const keep = new Set([h.layout.disk, h.layout.diskImage, h.layout.upper, h.layout.workspace, path.join(h.layout.root, CLAIM_FILE)]);
    const entries = await fs.readdir(h.layout.root).catch(() => [] as string[]);
    for (const name of entries) {
      const full = path.join(h.layout.root, name);
      if (!keep.has(full)) await fs.rm(full, { recursive: true, force: true });
    }
  });
}

/** Where quarantined files go: beside the sandboxes, a dot name no sandbox id can take. */
export const quarantineDirOf = (stateDir: string) => path.join(stateDir, ".quarantine");

/**
 * Stops and deletes the container but keeps its files: upper/ and workspace/ go to
 * `<stateDir>/.quarantine/<id>-<time>/`, for an operator to look at or delete. Returns that
 * directory, or null when there were no files. From a disk image they are copied out (its mount
 * is the only way to read them), then the image goes: quarantine is rare, and plain directories
 * are what an operator can look at.
 */
export async function quarantineSandbox(ctx: BackendContext, id: string, now = new Date()): Promise<string | null> {
  await destroySandbox(ctx, id, { keepFiles: true });
  const h = sandboxHandle(ctx, id);
  return ctx.locks.run(id, async () => {
    const hasImage = await fs.stat(h.layout.diskImage).then(() => true, () => false);
    if (hasImage) await ensureSessionDisk(h.layout, { diskMib: MIN_DISK_MIB }); // the size is unused: the image exists
    let done = false;
    try {
      const kept = [h.layout.upper, h.layout.workspace].filter((dir) => existsSync(dir));
      done = kept.length === 0;
      if (done) return null;
      const into = path.join(quarantineDirOf(ctx.stateDir), `${id}-${now.toISOString().replace(/[:.]/g, "-")}`);
      // Filled under a dot name, then renamed: the directory appears complete or not at all.
      const filling = path.join(path.dirname(into), `.filling-${path.basename(into)}`);
      await fs.rm(filling, { recursive: true, force: true });
      await fs.mkdir(filling, { recursive: true, mode: 0o700 });
      for (const dir of kept) {
        const target = path.join(filling, path.basename(dir));
        if (!hasImage) {
          await fs.rename(dir, target);
          continue;
        }
        // cp -a keeps owners, modes, xattrs (overlay's opaque dirs) and whiteouts (device nodes).
        const copied = await runCommand("cp", ["-a", "--", dir, target], { timeoutMs: 10 * 60_000 });
        if (copied.exitCode !== 0) throw new Error(`Could not copy ${dir} into the quarantine: ${copied.stderr.trim()}`);
      }
      await fs.rename(filling, into);
      done = true;
      return into;
    } finally {
      await unmountAllUnder(h.layout.root);
      // A failed copy leaves the image where it is (never deleted): the next attempt copies again.
      if (done) {
        await fs.rm(h.layout.root, { recursive: true, force: true });
        ctx.claims.delete(id);
      }
    }
  });
}
