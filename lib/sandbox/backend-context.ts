// What every operation of the runc backend shares: where its state lives, which runtime binary it
// drives, the base template source and the per-sandbox lock.
import { createHostTemplateSource } from "./host-template";
import { hostIdOf, type IdMap } from "./id-map";
import { KeyedLock } from "./keyed-lock";
import { containerIdOf, sandboxLayout, templatesDirOf, type SandboxLayout } from "./sandbox-layout";
import type { ExecTarget } from "./exec-in-sandbox";
import type { SandboxNetworking } from "../network/sandbox-networking";
import { ensureAgentBinary } from "./agent-binary";
import { loadClaims, type SandboxClaim } from "./sandbox-claims";

export type BackendContext = {
  stateDir: string;
  runtime: string;
  hostTemplate: ReturnType<typeof createHostTemplateSource>;
  locks: KeyedLock;
  /** Each sandbox's cgroupsPath as its OCI config names it, read once (sandbox-stats.ts); dropped on destroy. */
  cgroupPaths: Map<string, string>;
  /** The runner's uid/gid range, or null without user namespaces. */
  idMap: IdMap;
  /** The runner's sandbox network (lib/network), or null: a sandbox asking for one fails to start. */
  network: SandboxNetworking | null;
  /** SANDBOX_EXEC_AGENT: on, new sandboxes run the exec agent as PID 1 and execs go through it. */
  execAgent: boolean;
  /** The agent's binary for new sandboxes, or null (off, or it could not be built: the old init). */
  agentBinary: () => Promise<string | null>;
  /** Sessions that took a warm-pool sandbox: session id → that sandbox (sandbox-claims.ts). */
  claims: Map<string, SandboxClaim>;
};

export function createBackendContext(stateDir: string, runtime: string, idMap: IdMap = null, network: SandboxNetworking | null = null, execAgent = true): BackendContext {
  const hostTemplate = createHostTemplateSource(templatesDirOf(stateDir), { rootUid: hostIdOf(idMap, 0), rootGid: hostIdOf(idMap, 0) });
  let warned = false;
  const agentBinary = async () => {
    if (!execAgent) return null;
    try {
      return await ensureAgentBinary();
    } catch (e) {
      // Sandboxes still start, with the shell-loop init and `runc exec` (slower execs).
      if (!warned) console.warn(`[sandbox] exec agent unavailable, new sandboxes use runc exec: ${(e as Error).message}`);
      warned = true;
      return null;
    }
  };
  return { stateDir, runtime, hostTemplate, locks: new KeyedLock(), cgroupPaths: new Map(), idMap, network, execAgent, agentBinary, claims: loadClaims(stateDir) };
}

export type SandboxHandle = { id: string; containerId: string; layout: SandboxLayout };

/** A session that claimed a pooled sandbox is served by that sandbox's container and files. */
export function sandboxHandle(ctx: BackendContext, id: string): SandboxHandle {
  const target = ctx.claims.get(id)?.sandboxId ?? id;
  return { id, containerId: containerIdOf(target), layout: sandboxLayout(ctx.stateDir, target) };
}

export const execTargetOf = (ctx: BackendContext, h: SandboxHandle): ExecTarget => ({
  runtime: ctx.runtime,
  containerId: h.containerId,
  execDir: h.layout.execDir,
  agentSocket: ctx.execAgent ? h.layout.agentSocket : null,
});
