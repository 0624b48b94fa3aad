// Where one sandbox lives on the host, and the naming rules for ids. Computes paths and creates
// nothing (it only looks whether a sandbox predates disk images). The layout is documented at the
// top of index.ts.
import { existsSync } from "node:fs";
import path from "node:path";
import type { IdMap } from "./id-map";
import { SandboxError } from "./sandbox-error";
import type { SandboxPaths } from "./types";

export const CONTAINER_PREFIX = "burrow-";

// runc accepts [\w+-.]; we also use the id as a directory name and in overlay mount options, so
// no dots at the start, no slashes, colons or commas. Case is kept: runc ids are case-sensitive,
// which lets list() give back the session id exactly.
const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/;

// Overlay mount options are split on "," and lowerdir on ":"; a backslash escapes. Refusing these
// (and whitespace, which /proc/self/mountinfo escapes) keeps the option string unambiguous.
const UNSAFE_MOUNT_PATH = /[,:\\\s]/;

export function assertSandboxId(id: string): void {
  if (typeof id !== "string" || !SANDBOX_ID.test(id)) {
    throw new SandboxError("invalid_argument", `Invalid sandbox id ${JSON.stringify(id)}: letters, digits, "_" and "-" only (at most 120)`);
  }
}

export function assertMountablePath(p: string, what: string): void {
  if (!path.isAbsolute(p) || UNSAFE_MOUNT_PATH.test(p) || p.includes("\0")) {
    throw new SandboxError("invalid_argument", `${what} must be an absolute path without commas, colons, backslashes or spaces: ${JSON.stringify(p)}`);
  }
}

export const containerIdOf = (id: string) => `${CONTAINER_PREFIX}${id}`;

/** The session id of one of our container ids, or null for anyone else's container. */
export const sandboxIdOf = (containerId: string): string | null =>
  containerId.startsWith(CONTAINER_PREFIX) && SANDBOX_ID.test(containerId.slice(CONTAINER_PREFIX.length))
    ? containerId.slice(CONTAINER_PREFIX.length)
    : null;

/** Every host path of one sandbox, public (SandboxPaths) and internal. */
export type SandboxLayout = Omit<SandboxPaths, "idMap"> & {
  bundle: string;
  configFile: string;
  /** The merged root overlay, mounted on the host; runc pivots into it. */
  rootfs: string;
  upperRootfs: string;
  upperEtc: string;
  workRootfs: string;
  workEtc: string;
  /** The init's stderr and runc's own messages from `runc run` (also mainOutput.stderr). */
  initLog: string;
  /** Pid files of running execs (so a timeout can kill the process tree). */
  execDir: string;
  /** The exec agent's directory (handed to PID 1 as fd 3, mounted nowhere inside) and its socket in it. */
  agentDir: string;
  agentSocket: string;
  /**
   * The writable area: upper/, work/ and workspace/ (overlay wants upper and work on one mount).
   * The mount point of the sandbox's disk image when it has a size (session-disk.ts).
   */
  disk: string;
  /** The sparse ext4 image mounted at `disk`; beside it, so the runner's own files stay off it. */
  diskImage: string;
};

/** Bound by the agent in agentDir (agent/burrow-agent.c: SOCKET_NAME). */
export const AGENT_SOCKET_NAME = "agent.sock";
/** sun_path holds 108 bytes with the NUL: a sandbox whose socket path is longer runs without the agent. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Shared template layers; the dot keeps it apart from sandbox ids, which never start with one. */
export function templatesDirOf(stateDir: string) {
  return path.join(stateDir, ".templates");
}

/** The sandbox's disk image, in its root dir (unmounted after a reboot: its files are still there). */
export const DISK_IMAGE_NAME = "disk.img";

export function sandboxLayout(stateDir: string, id: string): SandboxLayout {
  assertSandboxId(id);
  const root = path.join(stateDir, id);
  // A sandbox made before disk images keeps upper/ and workspace/ in its root: its writable area is
  // the root itself (no image is ever mounted over files already there: session-disk.ts), so its
  // running container and its next snapshot see the same files. A wake gives it an image.
  const legacy = existsSync(path.join(root, "upper")) && !existsSync(path.join(root, "disk"));
  const disk = legacy ? root : path.join(root, "disk");
  const upper = path.join(disk, "upper");
  const bundle = path.join(root, "bundle");
  return {
    root,
    upper,
    workspace: path.join(disk, "workspace"),
    bundle,
    configFile: path.join(bundle, "config.json"),
    rootfs: path.join(bundle, "rootfs"),
    upperRootfs: path.join(upper, "rootfs"),
    upperEtc: path.join(upper, "etc"),
    workRootfs: path.join(disk, "work", "rootfs"),
    workEtc: path.join(disk, "work", "etc"),
    initLog: path.join(root, "init.log"),
    mainOutput: { stdout: path.join(root, "init.out"), stderr: path.join(root, "init.log") },
    execDir: path.join(root, "exec"),
    agentDir: path.join(root, "agent"),
    agentSocket: path.join(root, "agent", AGENT_SOCKET_NAME),
    disk,
    diskImage: path.join(root, DISK_IMAGE_NAME),
  };
}

export const publicPaths = (l: SandboxLayout, idMap: IdMap): SandboxPaths => ({
  root: l.root, upper: l.upper, workspace: l.workspace, mainOutput: l.mainOutput, idMap,
});
