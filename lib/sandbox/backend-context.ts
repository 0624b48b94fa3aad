// What every operation of the runc backend shares: where its state lives, which runtime binary it
// drives, the base template source and the per-sandbox lock.
import { createHostTemplateSource } from "./host-template";
import { KeyedLock } from "./keyed-lock";
import { containerIdOf, sandboxLayout, templatesDirOf, type SandboxLayout } from "./sandbox-layout";
import type { ExecTarget } from "./exec-in-sandbox";

export type BackendContext = {
  stateDir: string;
  runtime: string;
  hostTemplate: ReturnType<typeof createHostTemplateSource>;
  locks: KeyedLock;
  /** Each sandbox's cgroupsPath as its OCI config names it, read once (sandbox-stats.ts); dropped on destroy. */
  cgroupPaths: Map<string, string>;
};

export function createBackendContext(stateDir: string, runtime: string): BackendContext {
  return { stateDir, runtime, hostTemplate: createHostTemplateSource(templatesDirOf(stateDir)), locks: new KeyedLock(), cgroupPaths: new Map() };
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
