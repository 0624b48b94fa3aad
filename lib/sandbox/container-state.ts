// What the runtime knows about one container: `runc state`, with "does not exist" as null.
import { runCommand, runtimeFailure, runtimeMessage } from "./run-runtime";
import type { SandboxStatus } from "./types";

export type ContainerState = { id: string; status: SandboxStatus; pid: number; bundle: string };

/** runc also reports the transient "pausing"; for a caller it already is paused. */
export function toSandboxStatus(status: string): SandboxStatus {
  if (status === "running" || status === "paused" || status === "created" || status === "stopped") return status;
  if (status === "pausing") return "paused";
  return "stopped";
}

export async function containerState(runtime: string, containerId: string): Promise<ContainerState | null> {
  const result = await runCommand(runtime, ["state", containerId]);
  if (result.exitCode !== 0) {
    if (/does not exist|not found/i.test(runtimeMessage(result.stderr))) return null;
    throw runtimeFailure("state", result.stderr);
  }
  const raw = JSON.parse(result.stdout) as { id: string; status: string; pid?: number; bundle?: string };
  return { id: raw.id, status: toSandboxStatus(raw.status), pid: raw.pid ?? 0, bundle: raw.bundle ?? "" };
}
