// A sandbox's processes do not survive a hibernate (no memory snapshots), so a web app a preview
// URL shows would be gone after a wake. A session that wants something running after every start,
// wake or recovery puts an executable script at /workspace/.burrow/on-start; the runner starts it
// in the background right after the sandbox starts (before the session is reported running), with
// its output appended to /workspace/.burrow/on-start.log. Without the file nothing is run.
import fs from "node:fs/promises";
import path from "node:path";
import type { SandboxBackend } from "../sandbox";

export const ON_START_HOOK = "/workspace/.burrow/on-start";
const HOOK_EXEC_TIMEOUT_MS = 10_000;

export async function runOnStartHook(backend: SandboxBackend, sessionId: string, log?: (m: string) => void): Promise<void> {
  // Looked for from the host first, so a sandbox without one costs no exec.
  const onHost = path.join(backend.paths(sessionId).workspace, ".burrow", "on-start");
  if (!(await fs.stat(onHost).then((s) => s.isFile(), () => false))) return;
  const script = `[ -x ${ON_START_HOOK} ] || exit 0; nohup ${ON_START_HOOK} >>/workspace/.burrow/on-start.log 2>&1 </dev/null &`;
  const result = await backend.exec(sessionId, { command: ["/bin/sh", "-c", script], timeoutMs: HOOK_EXEC_TIMEOUT_MS }).catch((e: Error) => ({ exitCode: -1, stderr: e.message }));
  if (result.exitCode !== 0) log?.(`session ${sessionId}: ${ON_START_HOOK} did not start (${result.exitCode}): ${String(result.stderr).trim().slice(0, 200)}`);
}
