// What this host needs from the operating system to run sandboxes, and what to do when some of it
// is missing: which Debian packages hold the missing commands, the exact apt-get command, and
// whether `npm start` may run it itself. Pure decisions; finding the commands and running apt-get
// are in find-commands.ts and ensure-prerequisites.ts.

/** What a host tool is for: without a "sandboxes" one no session starts; the others limit one feature. */
export type ToolPurpose = "sandboxes" | "disk limits" | "image templates" | "network" | "exec agent";

/** Whether lacking it stops every sandbox (image and network tools limit only imports and networked sessions). */
export const isBlockingTool = (t: HostTool) => t.purpose === "sandboxes" || t.purpose === "disk limits";

export type HostTool = {
  command: string;
  /** The Debian/Ubuntu package that installs it; null when Debian has none (e.g. gVisor's runsc). */
  debianPackage: string | null;
  /** Packages it needs beside its own that hold no command to look for (gcc's static C library). */
  alsoPackages?: string[];
  purpose: ToolPurpose;
  /** Why Burrow runs it, for the operator. */
  usedFor: string;
};

/** Tools of the local OCI backend, whatever the configuration. */
const SANDBOX_TOOLS: HostTool[] = [
  { command: "zstd", debianPackage: "zstd", purpose: "sandboxes", usedFor: "compresses snapshots" },
  { command: "getfattr", debianPackage: "attr", purpose: "sandboxes", usedFor: "keeps file attributes in snapshots" },
  { command: "setfattr", debianPackage: "attr", purpose: "sandboxes", usedFor: "restores file attributes from snapshots" },
  { command: "python3", debianPackage: "python3", purpose: "sandboxes", usedFor: "the terminal's pty helper" },
];

const DISK_LIMIT_TOOLS: HostTool[] = [
  { command: "mkfs.ext4", debianPackage: "e2fsprogs", purpose: "disk limits", usedFor: "formats each session's disk (SANDBOX_DISK_LIMITS=on)" },
];

const IMAGE_TOOLS: HostTool[] = [
  { command: "skopeo", debianPackage: "skopeo", purpose: "image templates", usedFor: "reads imported image archives" },
  { command: "umoci", debianPackage: "umoci", purpose: "image templates", usedFor: "unpacks imported images" },
  { command: "busybox", debianPackage: "busybox-static", purpose: "image templates", usedFor: "the init of sandboxes from imported images" },
];

const NETWORK_TOOLS: HostTool[] = [
  { command: "nft", debianPackage: "nftables", purpose: "network", usedFor: "the egress policy of sessions with a network (SANDBOX_NETWORK=on)" },
  { command: "ip", debianPackage: "iproute2", purpose: "network", usedFor: "each networked sandbox's veth, address and namespace" },
  { command: "iptables", debianPackage: "iptables", purpose: "network", usedFor: "the queue rule of the name inspection (TLS SNI, HTTP Host; SANDBOX_NET_QUEUE)" },
];

/** Builds the sandbox exec agent (lib/sandbox/agent-binary.ts); without it execs use `runc exec`. */
const EXEC_AGENT_TOOLS: HostTool[] = [
  { command: "gcc", debianPackage: "gcc", alsoPackages: ["libc6-dev"], purpose: "exec agent", usedFor: "builds the sandbox exec agent (SANDBOX_EXEC_AGENT=on)" },
];

/** Debian packages of the OCI runtimes Burrow knows; another runtime is installed by hand. */
const RUNTIME_PACKAGES: Record<string, string> = { runc: "runc" };

export function hostTools(opts: { runtime: string; diskLimits: boolean; network?: boolean; execAgent?: boolean }): HostTool[] {
  const runtime = opts.runtime.split("/").pop() ?? opts.runtime;
  return [
    { command: opts.runtime, debianPackage: RUNTIME_PACKAGES[runtime] ?? null, purpose: "sandboxes", usedFor: "the OCI runtime (SANDBOX_RUNTIME)" },
    ...SANDBOX_TOOLS,
    ...(opts.diskLimits ? DISK_LIMIT_TOOLS : []),
    ...IMAGE_TOOLS,
    ...(opts.network ? NETWORK_TOOLS : []),
    ...(opts.execAgent ? EXEC_AGENT_TOOLS : []),
  ];
}

/** The packages that install `missing`, each once, in the order first needed. */
export function packagesFor(missing: HostTool[]): string[] {
  return [...new Set(missing.flatMap((t) => (t.debianPackage ? [t.debianPackage, ...(t.alsoPackages ?? [])] : [])))];
}

export const aptInstallCommand = (packages: string[]) => `apt-get install -y --no-install-recommends ${packages.join(" ")}`;

/** The commands `npm start` runs to install `packages` (noninteractive, so it never waits for a prompt). */
export function aptInstallSteps(packages: string[]): { command: string; args: string[] }[] {
  return [
    { command: "apt-get", args: ["update"] },
    { command: "apt-get", args: ["install", "-y", "--no-install-recommends", ...packages] },
  ];
}

export type HostFacts = {
  /** Tools not found on this host. */
  missing: HostTool[];
  isRoot: boolean;
  hasApt: boolean;
  /** BURROW_INSTALL_PREREQUISITES (default on). */
  installAllowed: boolean;
};

export type PrerequisitePlan =
  | { action: "none" }
  | { action: "install"; packages: string[]; steps: { command: string; args: string[] }[] }
  /** Cannot or may not install: say what is missing, why it was not installed and the command to run. */
  | { action: "advise"; packages: string[]; command: string | null; why: string };

export function planPrerequisites(facts: HostFacts): PrerequisitePlan {
  if (facts.missing.length === 0) return { action: "none" };
  const packages = packagesFor(facts.missing);
  const command = packages.length ? aptInstallCommand(packages) : null;
  const why = !packages.length ? "no Debian package provides them"
    : !facts.installAllowed ? "BURROW_INSTALL_PREREQUISITES=0"
    : !facts.isRoot ? "not running as root"
    : !facts.hasApt ? "apt-get is not available (Burrow installs packages on Debian and Ubuntu)"
    : null;
  if (why) return { action: "advise", packages, command, why };
  return { action: "install", packages, steps: aptInstallSteps(packages) };
}

/** "runc, getfattr" and what they are for, for a log line. */
export function describeMissing(missing: HostTool[]): string {
  return missing.map((t) => `${t.command} (${t.usedFor})`).join(", ");
}

/**
 * Why a runner on this host cannot run sandboxes, from the tools it lacks (null when none it needs
 * is missing). Image tools do not count: without them only imports fail, with their own message.
 * The text is shown to tenants ("Start session", the Runners page), so it names commands and
 * packages, never paths or addresses.
 */
export function sandboxToolsProblem(missing: HostTool[]): string | null {
  const blocking = missing.filter(isBlockingTool);
  if (blocking.length === 0) return null;
  const names = blocking.map((t) => t.command).join(", ");
  const packages = packagesFor(blocking);
  const unpackaged = blocking.filter((t) => !t.debianPackage).map((t) => t.command);
  const fixes = [
    ...(packages.length ? [`as root: ${aptInstallCommand(packages)}`] : []),
    ...(unpackaged.length ? [`install ${unpackaged.join(", ")} and put it on PATH`] : []),
    ...(blocking.every((t) => t.purpose === "disk limits") ? ["or SANDBOX_DISK_LIMITS=off for disks without a size limit"] : []),
  ];
  return `${names} ${blocking.length === 1 ? "is" : "are"} not installed on the runner's host (${fixes.join("; ")})`;
}
