// Start (or adopt) a sandbox: directories, root overlay, config.json, `runc run -d`. Files already in
// upper/ and workspace/ are kept, which is how a wake from a snapshot works (the caller restores
// them first), and how a session whose container a host reboot removed is recovered (the runner
// calls create on the files left: reconcile-session.ts, "recover"). Only per-container scratch is
// reset here (the overlay work dirs; config.json and init.pid are rewritten). If the container
// already runs (or is paused) it is returned as it is.
import { spawn } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import fs, { type FileHandle } from "node:fs/promises";
import path from "node:path";
import { buildOciConfig } from "./build-oci-config";
import { cgroupsPathOf } from "./cgroup-path";
import { containerState } from "./container-state";
import { hostIdOf } from "./id-map";
import { imageLowerFor } from "./image-lower";
import { sandboxHandle, type BackendContext, type SandboxHandle } from "./backend-context";
import { isMountPoint, mountOverlay, unmountAllUnder } from "./overlay-mount";
import { missingBinaryMessage, runCommand, runRuntime, runtimeMessage } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import { MAX_SOCKET_PATH_BYTES, publicPaths, type SandboxLayout } from "./sandbox-layout";
import { ensureSessionDisk } from "./session-disk";
import { CACHE_MARKER } from "./hibernate-cache";
import { validateSandboxSpec } from "./validate-spec";
import type { SandboxInfo, SandboxSpec } from "./types";

const RUN_TIMEOUT_MS = 60_000;
/** Emptied at each start; appended to, so every writer (and `>>` from inside) adds at the end. */
const OUTPUT_FILE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_APPEND;

export async function createSandbox(ctx: BackendContext, spec: SandboxSpec, opts: { knownAbsent?: boolean } = {}): Promise<SandboxInfo> {
  validateSandboxSpec(spec);
  const h = sandboxHandle(ctx, spec.id);
  return ctx.locks.run(spec.id, async () => {
    const existing = opts.knownAbsent ? null : await containerState(ctx.runtime, h.containerId);
    if (existing && existing.status !== "stopped") {
      // A crash between `runc create` and `start` is the only way to be left in "created".
      if (existing.status === "created") {
        if (spec.network) await attachNetwork(ctx, spec.id, spec.network, existing.pid);
        await runRuntime(ctx.runtime, ["start", h.containerId], "start");
      }
      const status = existing.status === "created" ? "running" : existing.status;
      return { id: spec.id, containerId: h.containerId, status, pid: existing.pid, paths: publicPaths(h.layout, ctx.idMap), address: await addressOf(ctx, spec) };
    }
    // Its init died (or the host rebooted): clear the remains and start afresh on the same files.
    if (existing) await runRuntime(ctx.runtime, ["delete", "--force", h.containerId], "delete");

    await prepareDirectories(h.layout, ctx, spec.resources);
    const host = spec.rootfs.kind === "host" ? await ctx.hostTemplate.prepare() : null;
    const lowers = host ? [host.skeletonDir] : [await imageLowerFor(ctx.stateDir, await rootfsDirOrThrow(spec.rootfs.kind === "dir" ? spec.rootfs.path : ""), ctx.idMap)];
    await mountOverlay(h.layout.rootfs, { lowers, upper: h.layout.upperRootfs, work: h.layout.workRootfs });
    try {
      const network = spec.network ? { resolvConf: await networkingOrThrow(ctx).resolvConf() } : undefined;
      const agentBinary = Buffer.byteLength(h.layout.agentSocket) <= MAX_SOCKET_PATH_BYTES ? await ctx.agentBinary() : null;
      const config = buildOciConfig({ spec, layout: h.layout, host, cgroupsPath: cgroupsPathOf(h.containerId), arch: process.arch, idMap: ctx.idMap, network, agentBinary });
      await fs.writeFile(h.layout.configFile, JSON.stringify(config, null, 2));
      const policy = spec.network;
      const agentDir = agentBinary ? await prepareAgentDir(ctx, h.layout) : null;
      let pid: number;
      try {
        pid = await runContainer(ctx, h, agentDir, policy ? (initPid) => attachNetwork(ctx, spec.id, policy, initPid) : undefined);
      } finally {
        await agentDir?.close();
      }
      if (agentDir) await waitForAgent(h.layout.agentSocket);
      return { id: spec.id, containerId: h.containerId, status: "running", pid, paths: publicPaths(h.layout, ctx.idMap), address: await addressOf(ctx, spec) };
    } catch (err) {
      await runCommand(ctx.runtime, ["delete", "--force", h.containerId]).catch(() => {});
      await ctx.network?.detach(spec.id).catch(() => {});
      await unmountAllUnder(h.layout.bundle).catch(() => {});
      throw err;
    }
  });
}

/** The sandbox's bridge address as its network record says (null: network "none"). */
async function addressOf(ctx: BackendContext, spec: SandboxSpec): Promise<string | null> {
  return spec.network && ctx.network ? ctx.network.addressOf(spec.id) : null;
}

function networkingOrThrow(ctx: BackendContext) {
  if (!ctx.network) throw new SandboxError("failed", "This runner has no sandbox networking (SANDBOX_NETWORK=off): only network \"none\" sessions start here");
  return ctx.network;
}

async function attachNetwork(ctx: BackendContext, id: string, policy: NonNullable<SandboxSpec["network"]>, pid: number): Promise<void> {
  try {
    await networkingOrThrow(ctx).attach(id, policy, pid);
  } catch (e) {
    throw new SandboxError("failed", `Could not set up the sandbox's network: ${(e as Error).message}`);
  }
}

async function prepareDirectories(l: SandboxLayout, ctx: BackendContext, resources: SandboxSpec["resources"]): Promise<void> {
  await fs.mkdir(l.root, { recursive: true, mode: 0o700 });
  if (ctx.idMap) {
    // With a user namespace runc mounts as the mapped root, which must walk to the bundle and the
    // mount sources: search (not listing) for others on the state dir (its ancestors: see
    // probeUserNamespaces), and this sandbox's dir for the mapped root's group only, so other host
    // users (and other ranges) still cannot reach upper/ or workspace/.
    await addSearchForOthers(ctx.stateDir);
    await fs.lchown(l.root, 0, hostIdOf(ctx.idMap, 0));
    await fs.chmod(l.root, 0o710);
  }
  // Left mounted by a crash: unmount before the work dirs are wiped below it.
  if (await isMountPoint(l.rootfs)) await unmountAllUnder(l.bundle);
  // Files that a container runs on are no longer a copy of their snapshot (hibernate-cache.ts).
  await fs.rm(path.join(l.root, CACHE_MARKER), { force: true });
  await ensureSessionDisk(l, resources);
  // Overlay work dirs hold only overlayfs's scratch space; a fresh one avoids "in use" leftovers,
  // e.g. after the upper dir was replaced by a snapshot restore.
  await fs.rm(path.dirname(l.workRootfs), { recursive: true, force: true });
  for (const dir of [l.upperRootfs, l.upperEtc, l.workspace, l.workRootfs, l.workEtc, l.rootfs, l.execDir]) {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  }
  // upper/ and workspace/ may come from a snapshot restore. A symlink there would make the mount
  // follow it: the overlay's upper layer or the /workspace bind would become a host directory.
  for (const dir of [l.disk, l.upper, l.upperRootfs, l.upperEtc, l.workspace]) {
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) throw new SandboxError("failed", `${dir} must be a directory, not a symlink or file`);
  }
  // The merged / and /etc take their owner and mode from the upper dirs.
  await fs.chmod(l.upperRootfs, 0o755);
  await fs.chmod(l.upperEtc, 0o755);
  if (ctx.idMap) {
    // Root inside owns / , /etc and /workspace; the /etc overlay is mounted inside the namespace,
    // so its upper and work dirs must be the mapped root's too. Contents keep their owners
    // (a snapshot restore already put them in this range).
    const root = hostIdOf(ctx.idMap, 0);
    // The writable area (disk/, the disk image's mount) is the sandbox's own and holds upper/ and
    // work/, which the mapped root must reach; a sandbox from before disk images has it in root/.
    const area = l.disk === l.root ? [] : [l.disk];
    for (const dir of [...area, l.upper, l.upperRootfs, l.upperEtc, l.workspace, l.workEtc]) await fs.lchown(dir, root, root);
  }
}

export async function addSearchForOthers(dir: string): Promise<void> {
  const st = await fs.stat(dir);
  if ((st.mode & 0o001) === 0) await fs.chmod(dir, (st.mode & 0o7777) | 0o001);
}

async function rootfsDirOrThrow(dir: string): Promise<string> {
  const st = await fs.stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new SandboxError("invalid_argument", `rootfs.path ${dir} is not a directory`);
  return dir;
}

/** The agent binds its socket within milliseconds of starting; execs before that would go through runc. */
const AGENT_START_MS = 2_000;
const AGENT_POLL_MS = 2;

async function waitForAgent(socket: string): Promise<void> {
  const until = performance.now() + AGENT_START_MS;
  for (let i = 0; i < AGENT_START_MS / AGENT_POLL_MS; i++) {
    if (await fs.stat(socket).then((st) => st.isSocket(), () => false)) return;
    if (performance.now() > until) break;
    await new Promise((r) => setTimeout(r, AGENT_POLL_MS));
  }
  // Not fatal: every exec then takes the `runc exec` path.
  console.warn(`[sandbox] the exec agent did not open ${socket} within ${AGENT_START_MS} ms; execs use runc exec`);
}

/**
 * A fresh agent/ for the new init (a socket left by the previous one is gone with it), writable only
 * by the sandbox's root; opened as a directory to pass to the init. Nothing inside mounts it.
 */
async function prepareAgentDir(ctx: BackendContext, l: SandboxLayout): Promise<FileHandle> {
  await fs.rm(l.agentDir, { recursive: true, force: true });
  await fs.mkdir(l.agentDir, { mode: 0o700 });
  if (ctx.idMap) await fs.lchown(l.agentDir, hostIdOf(ctx.idMap, 0), hostIdOf(ctx.idMap, 0));
  return fs.open(l.agentDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
}

/**
 * `runc run -d`: creates and starts the container and returns. Its stdio is files rather than
 * pipes: the init inherits them and keeps them open for its whole life, which a pipe would never
 * survive. stdout goes to init.out, stderr (with runc's own messages) to init.log; the runner
 * tails both into the session's log.
 */
async function runContainer(ctx: BackendContext, h: SandboxHandle, agentDir: FileHandle | null, beforeStart?: (pid: number) => Promise<void>): Promise<number> {
  const pidFile = path.join(h.layout.root, "init.pid");
  await fs.rm(pidFile, { force: true });
  const log = await fs.open(h.layout.initLog, OUTPUT_FILE_FLAGS);
  const out = await fs.open(h.layout.mainOutput.stdout, OUTPUT_FILE_FLAGS).catch(async (e) => {
    await log.close();
    throw e;
  });
  let exitCode: number;
  try {
    if (ctx.idMap) {
      // The init's stdout and stderr belong to the sandbox: a process inside may open them again
      // (`echo … >> /proc/1/fd/1`, the usual way to log to a container's output) as the mapped root.
      const root = hostIdOf(ctx.idMap, 0);
      await Promise.all([out.chown(root, root), log.chown(root, root)]);
    }
    exitCode = await new Promise<number>((resolve, reject) => {
      // With work to do between the namespaces' creation and the first instruction of the init
      // (a network), `create` then `start`; else both at once.
      // The agent's directory is the init's fd 3 (--preserve-fds): it binds its socket there.
      const agentArgs = agentDir ? ["--preserve-fds", "1"] : [];
      const child = spawn(ctx.runtime, [beforeStart ? "create" : "run", ...(beforeStart ? [] : ["-d"]), ...agentArgs, "--pid-file", pidFile, "--bundle", h.layout.bundle, h.containerId], {
        stdio: ["ignore", out.fd, log.fd, ...(agentDir ? [agentDir.fd] : [])],
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
      child.on("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(e.code === "ENOENT" ? new SandboxError("runtime_missing", missingBinaryMessage(ctx.runtime)) : e);
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code ?? 1);
      });
    });
  } finally {
    await log.close();
    await out.close();
  }
  if (exitCode !== 0) {
    const output = await fs.readFile(h.layout.initLog, "utf8").catch(() => "");
    throw new SandboxError("failed", `Could not start the sandbox: ${runtimeMessage(output) || `exit ${exitCode}`}`, { details: { runtimeOutput: output.slice(-4000) } });
  }
  const pid = Number((await fs.readFile(pidFile, "utf8").catch(() => "0")).trim()) || 0;
  if (beforeStart) {
    await beforeStart(pid);
    await runRuntime(ctx.runtime, ["start", h.containerId], "start");
  }
  return pid;
}
