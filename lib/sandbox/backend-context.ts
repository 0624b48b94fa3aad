// What every operation of the runc backend shares: where its state lives, which runtime binary it
// drives, the base template source and the per-sandbox lock.
import { createHostTemplateSource } from "./host-template";
import { hostIdOf, type IdMap } from "./id-map";
import { KeyedLock } from "./keyed-lock";
import { containerIdOf, sandboxLayout, templatesDirOf, type SandboxLayout } from "./sandbox-layout";
import type { ExecTarget } from "./exec-in-sandbox";
import type { SandboxNetworking } from "../network/sandbox-networking";

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
};

export function createBackendContext(stateDir: string, runtime: string, idMap: IdMap = null, network: SandboxNetworking | null = null): BackendContext {
  const hostTemplate = createHostTemplateSource(templatesDirOf(stateDir), { rootUid: hostIdOf(idMap, 0), rootGid: hostIdOf(idMap, 0) });
  return { stateDir, runtime, hostTemplate, locks: new KeyedLock(), cgroupPaths: new Map(), idMap, network };
}

export type SandboxHandle = { id: string; containerId: string; layout: SandboxLayout };

export function sandboxHandle(ctx: BackendContext, id: string): SandboxHandle {
  return { id, containerId: containerIdOf(id), layout: sandboxLayout(ctx.stateDir, id) };
}

export const execTargetOf = (ctx: BackendContext, h: SandboxHandle): ExecTarget => ({
  runtime: ctx.runtime,
  containerId: h.containerId,
  execDir: h.layout.execDir,
});
