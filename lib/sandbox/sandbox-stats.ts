// CPU time, memory and process count of a sandbox, read from its cgroup files (cgroup-stats.ts):
// no process per sample. The cgroup is the one our OCI config told runc to use
// (`linux.cgroupsPath` in the bundle's config.json), read once per sandbox.
import { readFile } from "node:fs/promises";
import { sandboxHandle, type BackendContext } from "./backend-context";
import { cgroupStatFiles, hostCgroupLayout, readCgroupStats } from "./cgroup-stats";
import { SandboxError, isSandboxError } from "./sandbox-error";
import { cgroupLimitFiles, readLimitCounters } from "./cgroup-limits";
import type { SandboxLimitCounters, SandboxStats } from "./types";

export async function sandboxStats(ctx: BackendContext, id: string): Promise<SandboxStats> {
  const cgroupsPath = ctx.cgroupPaths.get(id) ?? (await readCgroupsPath(ctx, id));
  try {
    return await readCgroupStats(cgroupStatFiles(await hostCgroupLayout(), cgroupsPath));
  } catch (err) {
    // Gone (destroyed, or recreated elsewhere): the next sample reads the config again.
    if (isSandboxError(err, "not_found")) ctx.cgroupPaths.delete(id);
    throw err;
  }
}

/**
 * OOM kills, pids-limit hits, peak memory. A gone cgroup (the files are missing) reads as zeros;
 * a sandbox without a config is not_found.
 */
export async function sandboxLimitCounters(ctx: BackendContext, id: string): Promise<SandboxLimitCounters> {
  const cgroupsPath = ctx.cgroupPaths.get(id) ?? (await readCgroupsPath(ctx, id));
  return readLimitCounters(cgroupLimitFiles(await hostCgroupLayout(), cgroupsPath));
}

async function readCgroupsPath(ctx: BackendContext, id: string): Promise<string> {
  const h = sandboxHandle(ctx, id);
  let config: { linux?: { cgroupsPath?: unknown } };
  try {
    config = JSON.parse(await readFile(h.layout.configFile, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new SandboxError("not_found", `No sandbox ${id}`, { cause: err });
    throw err;
  }
  const cgroupsPath = config.linux?.cgroupsPath;
  if (typeof cgroupsPath !== "string") throw new SandboxError("failed", `The OCI config of ${id} names no cgroupsPath`);
  ctx.cgroupPaths.set(id, cgroupsPath);
  return cgroupsPath;
}
