// The OCI runtime config (config.json) of one sandbox. Pure: same input, same output, no I/O.
// The base is `runc spec` (its capabilities, /proc and /sys read-only, masked and read-only paths,
// devices denied), plus: Burrow's limits, namespaces with no network but loopback, an init that
// outlives `kill -9 -1`, the host template's mounts and a seccomp profile.
import { ociIdMappings, type IdMap } from "./id-map";
import { seccompProfile } from "./seccomp-profile";
import type { HostTemplate } from "./host-template";
import type { SandboxLayout } from "./sandbox-layout";
import { DEFAULT_PIDS_LIMIT, type SandboxSpec } from "./types";

export type OciMount = { destination: string; type: string; source: string; options?: string[] };

export type OciConfigInput = {
  spec: SandboxSpec;
  layout: Pick<SandboxLayout, "workspace" | "upperEtc" | "workEtc">;
  /** The prepared base template when spec.rootfs.kind is "host"; null for a "dir" rootfs. */
  host: HostTemplate | null;
  /** Absolute, so the same path works on cgroup v1 and v2 (runc creates it, and removes it on delete). */
  cgroupsPath: string;
  /** process.arch, for the seccomp architectures. */
  arch: string;
  /** The runner's uid/gid range: a user namespace when set (id-map.ts). */
  idMap?: IdMap;
  /** With a network (lib/network wires the new namespace before the container starts): the resolv.conf naming the runner's resolver. */
  network?: { resolvConf: string };
  /** The exec agent's host binary (agent-binary.ts): PID 1 is the agent instead of a shell loop. */
  agentBinary?: string | null;
};

export const CPU_PERIOD_US = 100_000;
/** The kernel refuses CFS quotas under 1 ms. */
const MIN_CPU_QUOTA_US = 1_000;
const DEFAULT_CAPABILITIES = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
/**
 * In a user namespace root's capabilities act only on what the namespace owns (its range's files,
 * its own namespaces), so root may also do what a package manager needs: chown, override file
 * modes on its own files, switch users. Host files (owned by ids outside the range) stay out of reach.
 */
const USERNS_CAPABILITIES = [...DEFAULT_CAPABILITIES, "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_SETGID", "CAP_SETUID"];
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const DEFAULT_CWD = "/workspace";

/**
 * PID 1: a shell that reaps every orphan (its `wait` collects any child) and never exits on its
 * own. A signal-forwarding init such as tini exits when its one child dies, and `kill -9 -1`
 * inside kills every process but PID 1 — the sandbox would end. PID 1 of a pid namespace gets no
 * signals from inside it that it did not ask for, and this one ignores TERM, INT and HUP.
 * Needs /bin/sh and sleep in the rootfs (the host template has both; a "dir" rootfs uses DIR_INIT_ARGS).
 */
export const INIT_ARGS = ["/bin/sh", "-c", 'trap "" TERM INT HUP; while :; do sleep 2147483647 & wait; done'];

/**
 * A "dir" rootfs (an imported image) may lack `sleep` (a busybox image often has no link for it),
 * and then INIT_ARGS would spin forking. Its PID 1 is the same loop run by the host's static
 * busybox (Debian package `busybox-static`), bound read-only at STATIC_INIT_PATH inside /dev:
 * /dev is the sandbox's own tmpfs, so nothing is added to the image's paths or to snapshots of
 * the upper layer. The binary is static, so it needs nothing from the image.
 */
export const STATIC_INIT_SOURCE = "/bin/busybox";
export const STATIC_INIT_PATH = "/dev/.burrow/busybox";
export const DIR_INIT_ARGS = [STATIC_INIT_PATH, "sh", "-c", `trap "" TERM INT HUP; while :; do ${STATIC_INIT_PATH} sleep 2147483647 & wait; done`];

/**
 * With the exec agent (SANDBOX_EXEC_AGENT=on, the default) PID 1 is agent/burrow-agent.c: the same
 * init duties, plus starting execs on request over a unix socket only the host reaches. Bound
 * read-only into the /dev tmpfs like the static busybox, so it is in no image path and no snapshot.
 */
export const AGENT_PATH = "/dev/.burrow/agent";
export const AGENT_ARGS = [AGENT_PATH];

export function agentMount(binary: string): OciMount {
  return { destination: AGENT_PATH, type: "bind", source: binary, options: ["bind", "ro", "nosuid", "nodev"] };
}

export function sandboxEnvList(env: Record<string, string>): string[] {
  // Defaults first; the caller's values replace them (one entry per name).
  const merged: Record<string, string> = { PATH: DEFAULT_PATH, HOME: "/root", LANG: "C.UTF-8", ...env };
  return Object.entries(merged).map(([k, v]) => `${k}=${v}`);
}

export function buildOciConfig(input: OciConfigInput) {
  const { spec, layout, host } = input;
  const memoryBytes = spec.resources.memoryMib * 1024 * 1024;
  const caps = input.idMap ? USERNS_CAPABILITIES : DEFAULT_CAPABILITIES;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: input.agentBinary ? AGENT_ARGS : host ? INIT_ARGS : DIR_INIT_ARGS,
      env: sandboxEnvList(spec.env),
      cwd: DEFAULT_CWD,
      capabilities: {
        bounding: caps,
        effective: caps,
        permitted: caps,
        ambient: caps,
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 4096, soft: 4096 }],
      noNewPrivileges: true,
      // The host's OOM killer picks a sandbox before the runner or the database.
      oomScoreAdj: 500,
    },
    root: { path: "rootfs", readonly: false },
    hostname: spec.hostname ?? "sandbox",
    mounts: [
      ...BASE_MOUNTS, ...(host ? templateMounts(host, layout) : []), ...initMounts(host, input.agentBinary), workspaceMount(layout.workspace),
      // Bound over /etc/resolv.conf rather than written into the upper layer: never in a snapshot.
      ...(input.network ? [{ destination: "/etc/resolv.conf", type: "bind", source: input.network.resolvConf, options: ["bind", "ro", "nosuid", "nodev", "noexec"] }] : []),
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: memoryBytes, swap: memoryBytes }, // swap is memory+swap: equal means none
        cpu: { quota: Math.max(MIN_CPU_QUOTA_US, Math.round(spec.resources.vcpu * CPU_PERIOD_US)), period: CPU_PERIOD_US },
        pids: { limit: spec.resources.pids ?? DEFAULT_PIDS_LIMIT },
      },
      cgroupsPath: input.cgroupsPath,
      // A new network namespace without a path: runc brings up loopback and nothing else. With a
      // network, lib/network adds a veth to it between `runc create` and `runc start`.
      namespaces: [...(input.idMap ? ["user"] : []), "pid", "network", "ipc", "uts", "mount", "cgroup"].map((type) => ({ type })),
      ...(input.idMap ? ociIdMappings(input.idMap) : {}),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: seccompProfile(input.arch),
    },
  };
}

export function workspaceMount(workspace: string): OciMount {
  return { destination: "/workspace", type: "bind", source: workspace, options: ["bind", "rw", "nosuid", "nodev"] };
}

/** PID 1's binary from the host, if it comes from there: the agent, or busybox for a "dir" rootfs. */
function initMounts(host: HostTemplate | null, agentBinary: string | null | undefined): OciMount[] {
  if (agentBinary) return [agentMount(agentBinary)];
  return host ? [] : [staticInitMount()];
}

/** The host's static busybox for a "dir" rootfs's init (after BASE_MOUNTS: it lands in the /dev tmpfs). */
export function staticInitMount(): OciMount {
  return { destination: STATIC_INIT_PATH, type: "bind", source: STATIC_INIT_SOURCE, options: ["bind", "ro", "nosuid", "nodev"] };
}

/** /usr (and any non-symlink /lib64-style dir) read-only; /etc copy-on-write over the host's, secrets whited out. */
export function templateMounts(host: HostTemplate | null, layout: OciConfigInput["layout"]): OciMount[] {
  if (!host) return [];
  // "bind", not "rbind": mounts below the host's /usr stay out (and so cannot stay writable).
  const readOnly = (dir: string): OciMount => ({ destination: dir, type: "bind", source: dir, options: ["bind", "ro", "nosuid", "nodev"] });
  return [
    readOnly("/usr"),
    ...host.rootLinks.filter((l) => l.kind === "dir").map((l) => readOnly(`/${l.name}`)),
    {
      destination: "/etc",
      type: "overlay",
      source: "overlay",
      options: [`lowerdir=${host.etcMaskDir}:/etc`, `upperdir=${layout.upperEtc}`, `workdir=${layout.workEtc}`, "nosuid", "nodev"],
    },
  ];
}

// As `runc spec` writes them.
const BASE_MOUNTS: OciMount[] = [
  { destination: "/proc", type: "proc", source: "proc" },
  { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
  { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
  { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
  { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
  { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
];

const MASKED_PATHS = [
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
];

const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
