// The local OCI backend: one object per runner, wiring the operations of this folder to one state
// directory and one runtime binary (runc by default; runsc or kata-runtime take the same CLI).
import fs from "node:fs/promises";
import path from "node:path";
import { createBackendContext, execTargetOf, sandboxHandle } from "./backend-context";
import { createSandbox } from "./create-sandbox";
import { destroySandbox, quarantineSandbox } from "./destroy-sandbox";
import { execInSandbox } from "./exec-in-sandbox";
import { dropCache, keepAsCache, listCaches, takeCache } from "./hibernate-cache";
import { assertIdMap, type IdMap } from "./id-map";
import { listSandboxes } from "./list-sandboxes";
import { pauseSandbox } from "./pause-sandbox";
import { resumeSandbox } from "./resume-sandbox";
import { readSandboxFile, writeSandboxFile } from "./sandbox-files";
import { assertMountablePath, publicPaths } from "./sandbox-layout";
import { sandboxLimitCounters, sandboxStats } from "./sandbox-stats";
import { ensureSessionDisk, sessionDiskUsage } from "./session-disk";
import { sandboxInitHealth } from "./init-health";
import { openSandboxTerminal } from "./sandbox-terminal";
import { validateExecRequest, validateTerminalRequest } from "./validate-spec";
import type { SandboxBackend } from "./types";
import { writeClaim } from "./sandbox-claims";
import type { BackendContext } from "./backend-context";
import { SandboxError } from "./sandbox-error";
import type { SandboxNetworking } from "../network/sandbox-networking";
import { readListeningPorts } from "../network/listening-ports";

export type RuncBackendOptions = {
  stateDir: string;
  runtimeBinary?: string;
  /** Run sandboxes in a user namespace with this uid/gid range (checked at start by probeUserNamespaces). */
  idMap?: IdMap;
  /** Sandbox networking (lib/network); without it only network "none" sandboxes start. */
  network?: SandboxNetworking | null;
  /**
   * SANDBOX_EXEC_AGENT (default on): new sandboxes run the exec agent as PID 1 (agent-binary.ts
   * builds it with gcc) and execs go through it; off: the shell-loop init and `runc exec` for all.
   */
  execAgent?: boolean;
};

export function createRuncBackend(opts: RuncBackendOptions): SandboxBackend {
  const stateDir = path.resolve(opts.stateDir);
  assertMountablePath(stateDir, "stateDir");
  const runtime = opts.runtimeBinary ?? "runc";
  assertIdMap(opts.idMap ?? null);
  const ctx = createBackendContext(stateDir, runtime, opts.idMap ?? null, opts.network ?? null, opts.execAgent ?? true);
  return {
    name: path.basename(runtime),
    create: (spec, createOpts) => createSandbox(ctx, spec, createOpts),
    prepareFiles: (id, resources) => ctx.locks.run(id, () => ensureSessionDisk(sandboxHandle(ctx, id).layout, resources)),
    diskUsage: (id) => sessionDiskUsage(sandboxHandle(ctx, id).layout),
    limitCounters: (id) => sandboxLimitCounters(ctx, id),
    async exec(id, req, onOutput) {
      validateExecRequest(req);
      const raw = await execInSandbox(execTargetOf(ctx, sandboxHandle(ctx, id)), withClaimEnv(ctx, id, req), onOutput);
      return { ...raw, stdout: raw.stdout.toString("utf8"), stderr: raw.stderr.toString("utf8") };
    },
    openTerminal(id, req, handlers) {
      validateTerminalRequest(req);
      return openSandboxTerminal(execTargetOf(ctx, sandboxHandle(ctx, id)), withClaimEnv(ctx, id, req), handlers);
    },
    async applyNetworkPolicy(id, policy) {
      if (!ctx.network) throw new SandboxError("failed", "This runner has no sandbox networking");
      await ctx.locks.run(id, () => ctx.network!.applyPolicy(id, policy));
    },
    claimPooled: (sandboxId, sessionId, env) => ctx.locks.run(sandboxId, () => writeClaim(ctx.stateDir, ctx.claims, sandboxId, sessionId, env)),
    isClaimed: (sessionId) => ctx.claims.has(sessionId),
    pause: (id) => pauseSandbox(ctx, id),
    resume: (id) => resumeSandbox(ctx, id),
    destroy: (id, destroyOpts) => destroySandbox(ctx, id, destroyOpts),
    quarantine: (id) => quarantineSandbox(ctx, id),
    keepAsCache: (id, snapshotId) => keepAsCache(ctx, id, snapshotId),
    takeCache: (id, snapshotId) => takeCache(ctx, id, snapshotId),
    listCaches: async () => listCaches(ctx),
    dropCache: (id, snapshotId) => dropCache(ctx, id, snapshotId),
    freeBytes: async () => {
      const s = await fs.statfs(stateDir);
      return s.bavail * s.bsize;
    },
    list: () => listSandboxes(ctx),
    stats: (id) => sandboxStats(ctx, id),
    initHealth: (id) => sandboxInitHealth(ctx, id),
    async listeningPorts(id) {
      const pid = Number((await fs.readFile(path.join(sandboxHandle(ctx, id).layout.root, "init.pid"), "utf8").catch(() => "")).trim());
      if (!Number.isInteger(pid) || pid <= 1) throw new SandboxError("not_found", "The sandbox has no init here");
      return readListeningPorts(pid);
    },
    paths: (id) => publicPaths(sandboxHandle(ctx, id).layout, ctx.idMap),
    readFile: (id, p, maxBytes) => readSandboxFile(execTargetOf(ctx, sandboxHandle(ctx, id)), p, maxBytes),
    writeFile: (id, p, data, maxBytes) => writeSandboxFile(execTargetOf(ctx, sandboxHandle(ctx, id)), p, data, maxBytes),
  };
}

/** A claimed pooled sandbox's init was started without the session's env: each process gets it (the request's own env wins). */
function withClaimEnv<R extends { env?: Record<string, string> }>(ctx: BackendContext, id: string, req: R): R {
  const claim = ctx.claims.get(id);
  return claim ? { ...req, env: { ...claim.env, ...req.env } } : req;
}
