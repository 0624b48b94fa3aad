// lib/sandbox — the local OCI sandbox backend (runc + overlayfs + cgroups). No database access:
// the runner (workers/runner) decides what should exist and calls this module to make it so.
//
// Layout on disk, under the backend's stateDir (the runner uses DATA_DIR/sandboxes):
//
//   <stateDir>/
//     .templates/                       shared, immutable, named by a hash of their contents
//       host-root-<hash>/               skeleton root of the "host" template: empty mount points
//                                       (usr, etc, proc, …), tmp (1777), root (0700), and bin, lib, …
//                                       as the same symlinks the host has (bin -> usr/bin)
//       etc-mask-<hash>/                whiteouts over the host's /etc for every entry not readable
//                                       by everyone (shadow, gshadow, ssl/private, …)
//     <session id>/                     one sandbox; SandboxPaths.root
//       disk.img                        with resources.diskMib: sparse ext4 image, loop-mounted at
//                                       disk/ (session-disk.ts); writes past its size get ENOSPC
//       disk/                           the writable area (the image's mount point, or a plain dir)
//         upper/                        SandboxPaths.upper: the writable layers, snapshotted whole
//           rootfs/                     upper layer of the root overlay (/root, /tmp, /var, …)
//           etc/                        upper layer of /etc ("host" template: changes to /etc)
//         workspace/                    SandboxPaths.workspace, bind-mounted read-write at /workspace
//         work/rootfs, work/etc         overlayfs scratch dirs (wiped at every create)
//       bundle/config.json              the OCI config (see build-oci-config.ts)
//       bundle/rootfs/                  the merged root overlay, mounted on the host while it runs:
//                                       lower = template (host-root-<hash> or rootfs.path),
//                                       upper = upper/rootfs
//       init.out, init.log              stdout and stderr of the sandbox's init (with runc's messages
//                                       from `runc run` in init.log), tailed into the session's log;
//                                       *.offset: how far the runner has read them (lib/logs)
//       init.pid                        the init's host pid
//       exec/<n>.pid                    host pids of running `runc exec`s (for killing at the timeout)
//       agent/agent.sock                the exec agent's socket (agent/burrow-agent.c): PID 1 gets
//                                       agent/ as an open fd and binds it; not mounted inside
//
// Inside a "host" sandbox: / is the overlay; /usr is the host's, read-only; /etc is an overlay of
// the host's /etc (secrets whited out) with upper/etc on top; /workspace is the workspace dir;
// /proc, /sys, /dev as in `runc spec`. The container id is `burrow-<session id>` (runc's default
// state root, so `runc list` shows them); its cgroup is /burrow/burrow-<session id>.
//
// Lifecycle: create() keeps whatever upper/ and workspace/ already hold (wake = restore the
// snapshot into them, then create; prepareFiles() mounts the disk image first); destroy({
// keepFiles: true }) leaves only disk/ (and disk.img, unmounted). Hibernate = pause (or destroy keeping files), snapshot upper/ and workspace/, then
// destroy(). The runtime's state (/run/runc) does not survive a reboot, the files do: list() shows
// what the runtime knows, and create() on the files left is how the runner recovers a session after
// a reboot (so create() must never reset upper/ or workspace/, only per-container scratch).
export { createRuncBackend, type RuncBackendOptions } from "./runc-backend";
export { checkRuntime, type RuntimeCheck } from "./check-runtime";
export { ensureAgentBinary, AGENT_CACHE_DIR } from "./agent-binary";
export { chooseUserNamespaces, probeUserNamespaces, type UserNamespaceChoice, type UserNamespaceProbe } from "./probe-user-namespaces";
export { DEFAULT_ID_RANGE_SIZE, hostIdOf, insideIdOf, type IdMap } from "./id-map";
export { checkDiskLimits } from "./session-disk";
export { DISK_IMAGE_NAME } from "./sandbox-layout";
export { SandboxError, isSandboxError, type SandboxErrorCode } from "./sandbox-error";
export { buildOciConfig, type OciConfigInput } from "./build-oci-config";
export {
  DEFAULT_EXEC_TIMEOUT_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_PIDS_LIMIT,
  EXEC_TIMEOUT_EXIT_CODE,
  type CachedFiles,
  type CacheLookup,
  type ExecRequest,
  type ExecResult,
  type OutputListener,
  type SandboxBackend,
  type SandboxDiskUsage,
  type SandboxLimitCounters,
  type SandboxInfo,
  type SandboxListEntry,
  type SandboxPaths,
  type SandboxResources,
  type SandboxRootfs,
  type SandboxSpec,
  type SandboxStats,
  type SandboxStatus,
  type SandboxTerminal,
  type TerminalHandlers,
  type TerminalRequest,
} from "./types";
export { isPooledSandboxId, POOLED_SANDBOX_PREFIX } from "./sandbox-claims";
