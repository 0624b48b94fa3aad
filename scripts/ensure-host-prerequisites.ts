// `npm start`'s first step: the host tools sandboxes need (lib/host/prerequisites). All present: a
// few stat calls and nothing else (no apt-get), so a start on a prepared machine loses no time.
// Missing, as root with apt-get: installs their Debian packages, saying so. Otherwise, or when that
// fails: prints the exact command and goes on; the runner then registers as unhealthy with the
// reason, which the console and session creates show.
import { spawnSync } from "node:child_process";
import { missingTools, isOnPath } from "../lib/host/find-commands";
import { describeMissing, hostTools, type HostTool, isBlockingTool, planPrerequisites } from "../lib/host/prerequisites";

export type EnsureOptions = {
  runtime: string;
  diskLimits: boolean;
  /** SANDBOX_NETWORK=on: nft and ip too (without them only sessions with a network fail). */
  network?: boolean;
  /** SANDBOX_EXEC_AGENT=on: gcc and libc6-dev to build the exec agent (without them execs use runc exec). */
  execAgent?: boolean;
  installAllowed: boolean;
  searchPath: string;
  isRoot: boolean;
  log: (msg: string) => void;
};

/** What is still missing afterwards. */
export function ensureHostPrerequisites(opts: EnsureOptions): HostTool[] {
  if (!opts.isRoot) opts.log(`not running as root: the console and the API work, but sandboxes need root (the runner registers as unable to run them)`);
  const tools = hostTools({ runtime: opts.runtime, diskLimits: opts.diskLimits, network: opts.network, execAgent: opts.execAgent });
  const missing = missingTools(tools, opts.searchPath);
  const plan = planPrerequisites({ missing, isRoot: opts.isRoot, hasApt: isOnPath("apt-get", opts.searchPath), installAllowed: opts.installAllowed });
  if (plan.action === "none") return [];
  opts.log(`missing on this host: ${describeMissing(missing)}`);
  if (plan.action === "advise") {
    opts.log(`not installing them (${plan.why})${plan.command ? `; to install them, as root: ${plan.command}` : ""}`);
    return report(missing, opts.log);
  }
  opts.log(`installing the Debian packages ${plan.packages.join(" ")} (BURROW_INSTALL_PREREQUISITES=0 turns this off)`);
  for (const step of plan.steps) {
    opts.log(`$ ${step.command} ${step.args.join(" ")}`);
    const run = spawnSync(step.command, step.args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PATH: opts.searchPath, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (run.status !== 0) {
      opts.log(`${step.command} ${step.args[0]} failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}); install them yourself, as root: apt-get update && ${plan.steps.at(-1)!.command} ${plan.steps.at(-1)!.args.join(" ")}`);
      break;
    }
  }
  const still = missingTools(tools, opts.searchPath);
  if (still.length === 0) opts.log("installed; every host tool is present");
  return report(still, opts.log);
}

/** What is still missing means for this start. */
function report(missing: HostTool[], log: (msg: string) => void): HostTool[] {
  if (missing.length === 0) return missing;
  const blocking = missing.filter(isBlockingTool);
  if (blocking.length) log(`starting anyway: the runner will register as unable to run sandboxes (still missing: ${blocking.map((t) => t.command).join(", ")}), and "Start session" says why`);
  else if (missing.every((t) => t.purpose === "exec agent")) log(`starting; execs use runc exec (slower) until ${missing.map((t) => t.command).join(", ")} ${missing.length === 1 ? "is" : "are"} installed`);
  else log(`starting; ${missing.some((t) => t.purpose === "network") ? "sessions with a network and " : ""}image imports will fail until ${missing.map((t) => t.command).join(", ")} ${missing.length === 1 ? "is" : "are"} installed`);
  return missing;
}
