// Can this host run sandboxes? Checked once at the runner's start, cheapest first: root, the host
// tools (lib/host/prerequisites), the OCI runtime and overlayfs, user namespaces when required, and
// loop devices for disk limits. The first problem found is the runner's unhealthy reason, which
// tenants see ("Start session", the Runners page): it names what to install or set, never a path.
import { env } from "../../lib/env";
import { missingTools } from "../../lib/host/find-commands";
import { hostTools, sandboxToolsProblem } from "../../lib/host/prerequisites";
import { checkDiskLimits, checkRuntime, chooseUserNamespaces, DEFAULT_ID_RANGE_SIZE, type IdMap } from "../../lib/sandbox";

export type SandboxReadiness = { ok: true; version: string; idMap: IdMap } | { ok: false; reason: string };

export async function checkSandboxReadiness(stateDir: string, log: (msg: string) => void): Promise<SandboxReadiness> {
  const runtime = env.SANDBOX_RUNTIME;
  if (process.getuid?.() !== 0) return { ok: false, reason: `the runner does not run as root, which ${runtime} sandboxes need (start Burrow as root)` };
  const tools = sandboxToolsProblem(missingTools(hostTools({ runtime, diskLimits: env.SANDBOX_DISK_LIMITS === "on" }), env.PATH));
  if (tools) return { ok: false, reason: tools };
  const check = await checkRuntime(runtime);
  if (!check.ok) return { ok: false, reason: check.message };
  const userns = await chooseUserNamespaces({ mode: env.SANDBOX_USERNS, runtime, stateDir, uidBase: env.SANDBOX_UID_BASE, size: DEFAULT_ID_RANGE_SIZE });
  log(userns.logLine);
  // The probe's own message may hold host paths: it goes to the runner's log only.
  if (userns.refuse) return { ok: false, reason: "user namespaces are required (SANDBOX_USERNS=on) but the start probe failed; the runner's log says why (or set SANDBOX_USERNS=auto)" };
  if (env.SANDBOX_DISK_LIMITS === "on") {
    const disk = await checkDiskLimits();
    if (disk) return { ok: false, reason: `disk limits cannot work on this host: ${disk} (or set SANDBOX_DISK_LIMITS=off for disks without a size limit)` };
  }
  return { ok: true, version: check.version, idMap: userns.idMap };
}
