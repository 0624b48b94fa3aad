// The contract between the runner and a compute backend. Pure types: no I/O here.
import type { ListeningPort } from "../network/listening-ports";
import type { EgressPolicy } from "../network/schemas";
import type { IdMap } from "./id-map";

/** A hibernated sandbox's files kept on the host, equal to a snapshot (hibernate-cache.ts). */
export type CachedFiles = { id: string; snapshotId: string; bytes: number; cachedAt: number };
export type CacheLookup = "hit" | "missing" | "stale" | "damaged";

export type SandboxRootfs = { kind: "host" } | { kind: "dir"; path: string };

export type SandboxResources = {
  /** CPU time per wall second, e.g. 0.5 or 2 (a CFS quota, not pinned cores). */
  vcpu: number;
  /** Memory limit; swap is not allowed on top of it. */
  memoryMib: number;
  /** Process/thread limit; DEFAULT_PIDS_LIMIT when absent. */
  pids?: number;
  /**
   * Size of the writable area (root filesystem changes + /workspace), a filesystem of its own:
   * past it, writes get ENOSPC. Unlimited (the state dir's filesystem) when absent.
   */
  diskMib?: number;
  /** Files and directories the writable area can hold; 64 per MiB of diskMib when absent. */
  inodes?: number;
};

/** The sandbox's own filesystem (statfs), for the runner's "disk full" check. */
export type SandboxDiskUsage = { totalBytes: number; freeBytes: number; totalInodes: number; freeInodes: number };

/** What the sandbox's cgroup counted (monotonic for one container) and its peak memory. */
export type SandboxLimitCounters = { oomKills: number; pidsLimitHits: number; peakMemoryBytes: number };

export type SandboxSpec = {
  /** The session id, e.g. "ses_01J…"; the container id is `burrow-${id}`. */
  id: string;
  rootfs: SandboxRootfs;
  resources: SandboxResources;
  env: Record<string, string>;
  hostname?: string;
  /** A network of its own under this egress policy; absent or null: loopback only (network "none"). */
  network?: EgressPolicy | null;
};

/** Host directories of one sandbox (see the layout in index.ts). */
export type SandboxPaths = {
  /** Everything of this sandbox on the host; destroy() removes it. */
  root: string;
  /** The writable layers: `rootfs/` (upper of the root overlay) and `etc/` (upper of /etc, host template). */
  upper: string;
  /** Bind-mounted read-write at /workspace. */
  workspace: string;
  /**
   * Files holding the stdout and stderr of the sandbox's main process (its init, PID 1), appended
   * to for the container's life and emptied when it is created again. runc's own messages from
   * starting it are in stderr too.
   */
  mainOutput: { stdout: string; stderr: string };
  /** How owners in upper/ and workspace/ map to ids inside (a user namespace's range), null when they are the same. */
  idMap: IdMap;
};

export type SandboxStatus = "running" | "paused" | "stopped" | "created";

export type SandboxInfo = {
  id: string;
  containerId: string;
  status: SandboxStatus;
  /** Host pid of the sandbox's init (0 when unknown). */
  pid: number;
  paths: SandboxPaths;
  /** Its address on the runner's bridge when it has a network (where the preview proxy connects); else null. */
  address?: string | null;
};

export type SandboxListEntry = { id: string; status: SandboxStatus };

export type SandboxStats = { cpuSeconds: number; memoryBytes: number; pids: number };

export type ExecRequest = {
  command: string[];
  /** Absolute path inside the sandbox; /workspace when absent. */
  cwd?: string;
  /** Added to (and overriding) the sandbox's env for this process only. */
  env?: Record<string, string>;
  /** Wall-clock limit; DEFAULT_EXEC_TIMEOUT_MS when absent. */
  timeoutMs?: number;
  stdin?: Buffer | string;
  /** Per stream; DEFAULT_MAX_OUTPUT_BYTES when absent. */
  maxOutputBytes?: number;
  /** Aborting it kills the process tree as the timeout does (the caller went away); the result says `cancelled`. */
  signal?: AbortSignal;
};

export type ExecResult = {
  /** The process's exit status; 128+N when killed by signal N; EXEC_TIMEOUT_EXIT_CODE on timeout. */
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Some output beyond maxOutputBytes was dropped (on either stream). */
  truncated: boolean;
  /** Killed because the request's signal was aborted. */
  cancelled?: boolean;
};

/**
 * Sees every byte of output, also beyond maxOutputBytes (which caps only the result). Returning a
 * promise pauses that stream until it settles (back-pressure: the process blocks on its pipe).
 */
export type OutputListener = (stream: "stdout" | "stderr", chunk: Buffer) => unknown;

export type TerminalRequest = {
  cols: number;
  rows: number;
  /** The shell; bash (else sh), interactive, when absent. */
  command?: string[];
  /** /workspace when absent. */
  cwd?: string;
  /** Added to the sandbox's env (TERM=xterm-256color is set unless given). */
  env?: Record<string, string>;
};

export type TerminalHandlers = {
  onOutput: (chunk: Buffer) => void;
  /** Once, after the last output: exitCode is the shell's, or null when the terminal was closed. */
  onExit: (result: { exitCode: number | null }) => void;
};

/** A shell on a real TTY inside a sandbox. */
export interface SandboxTerminal {
  /** Host pid of the shell. */
  readonly pid: number;
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  /** Back-pressure: the shell blocks on a full TTY while output is paused. */
  pauseOutput(): void;
  resumeOutput(): void;
  /** Kills the shell and everything it started; resolves when they are gone. */
  close(): Promise<void>;
}

export interface SandboxBackend {
  /** The runtime binary's name: "runc" (or "runsc", "kata-runtime"). */
  readonly name: string;
  /**
   * Starts the sandbox on whatever upper/ and workspace/ hold; returns the running (or paused) one if
   * it exists. knownAbsent: the caller just removed (or found no) container, so the runtime is not
   * asked again (one `runc state` less per start).
   */
  create(spec: SandboxSpec, opts?: { knownAbsent?: boolean }): Promise<SandboxInfo>;
  /**
   * Makes the writable area (upper/ and workspace/) ready to be written, e.g. by a snapshot
   * restore before create: with resources.diskMib, mounts the sandbox's disk image (a new one if
   * none is left). Idempotent; create does it too.
   */
  prepareFiles(id: string, resources: Pick<SandboxResources, "diskMib" | "inodes">): Promise<void>;
  /** Space and inodes left on the sandbox's own filesystem; null when it has none (no diskMib, or not mounted). */
  diskUsage(id: string): Promise<SandboxDiskUsage | null>;
  /** OOM kills, pids-limit hits and peak memory of the running container's cgroup. */
  limitCounters(id: string): Promise<SandboxLimitCounters>;
  /**
   * Runs a command and resolves when it exits (not when background children it left close their
   * output). Rejects with not_found / not_running (paused: fails at once, never waits) and
   * invalid_argument; a command that cannot start resolves with exit code 127 or 126.
   */
  exec(id: string, req: ExecRequest, onOutput?: OutputListener): Promise<ExecResult>;
  /** Starts an interactive shell on a TTY (a backend without TTY support leaves this out). */
  openTerminal?(id: string, req: TerminalRequest, handlers: TerminalHandlers): Promise<SandboxTerminal>;
  /** Replaces the egress policy of a sandbox that has a network (atomic: on failure the old one stays). */
  applyNetworkPolicy?(id: string, policy: NonNullable<SandboxSpec["network"]>): Promise<void>;
  /**
   * Warm pools (lib/warm-pool): from now on sessionId is served by the running pooled sandbox
   * sandboxId, whose every exec and terminal gets env (kept across runner restarts).
   */
  claimPooled?(sandboxId: string, sessionId: string, env: Record<string, string>): Promise<void>;
  /** Whether sessionId is served by a claimed pooled sandbox here. */
  isClaimed?(sessionId: string): boolean;
  /** Freezes every process (idempotent). */
  pause(id: string): Promise<void>;
  /** Thaws (idempotent). */
  resume(id: string): Promise<void>;
  /** Kills and deletes the container, unmounts, removes files (keepFiles: all but upper/ and workspace/). Fine if already gone. */
  destroy(id: string, opts?: { keepFiles?: boolean }): Promise<void>;
  /** Stops and deletes the container, moving its upper/ and workspace/ aside (never deleted); the directory, or null without files. */
  quarantine(id: string): Promise<string | null>;
  /**
   * The hibernate cache (hibernate-cache.ts): after a durable snapshot, stop the sandbox but keep
   * its writable area marked as equal to `snapshotId`; a backend without it always restores.
   */
  keepAsCache?(id: string, snapshotId: string): Promise<CachedFiles | null>;
  /** On a wake: "hit" when the cache is `snapshotId`'s and intact (then it is the session's files again). */
  takeCache?(id: string, snapshotId: string): Promise<CacheLookup>;
  listCaches?(): Promise<CachedFiles[]>;
  /** Deletes a cache while it still is one (of `snapshotId`, when given); false when it was not. */
  dropCache?(id: string, snapshotId?: string): Promise<boolean>;
  /** Free bytes of the filesystem the sandboxes' files are on. */
  freeBytes?(): Promise<number>;
  /** This backend's containers the runtime knows about (burrow-* with a bundle under stateDir). */
  list(): Promise<SandboxListEntry[]>;
  stats(id: string): Promise<SandboxStats>;
  /** Whether the sandbox's init can still reap (lib/sandbox/init-health.ts); null when it has no init here. */
  initHealth(id: string): Promise<"ok" | "stopped" | "dead" | "zombies" | null>;
  paths(id: string): SandboxPaths;
  /** TCP ports listening in the sandbox's network namespace (read from its init's /proc/<pid>/net). */
  listeningPorts?(id: string): Promise<ListeningPort[]>;
  /** A regular file's content; too_large beyond maxBytes. Paths resolve inside the sandbox. */
  readFile(id: string, path: string, maxBytes: number): Promise<Buffer>;
  /** Creates or replaces a file, and its parent directories. Paths resolve inside the sandbox. */
  writeFile(id: string, path: string, data: Buffer, maxBytes: number): Promise<void>;
}

export const DEFAULT_PIDS_LIMIT = 256;
export const DEFAULT_EXEC_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Reported as exitCode when an exec was killed at its timeout (as coreutils `timeout` does). */
export const EXEC_TIMEOUT_EXIT_CODE = 124;
