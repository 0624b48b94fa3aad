// A deny-list seccomp profile: everything is allowed except the system calls that only serve to
// attack the kernel from a sandbox or to escape it. Most of them already need a capability the
// sandbox does not have; the ones that matter without capabilities are user namespaces (they
// hand out capabilities over a fresh namespace, a large kernel attack surface), keyctl, bpf,
// userfaultfd, perf_event_open and io_uring. Modelled on Docker's default profile, much shorter.
// ptrace and process_vm_readv/writev are refused too: inside its PID namespace a process may trace
// the sandbox's own init, and a tracer that leaves init stopped stops all reaping (zombies fill
// the pids limit while the session looks running). Debuggers and strace do not work in a sandbox.
// pidfd_getfd too: it would let a process take PID 1's descriptors (the exec agent's listening
// socket, agent/burrow-agent.c) under the same ptrace rule.
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;

const DENIED = [
  "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module", "finit_module",
  "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module", "io_uring_enter", "io_uring_register",
  "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
  "mount", "mount_setattr", "move_mount", "nfsservctl", "open_by_handle_at", "open_tree",
  "perf_event_open", "pidfd_getfd", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff",
  "swapon", "syslog", "umount", "umount2", "unshare", "uselib", "userfaultfd", "vhangup",
];

type SeccompArch = "SCMP_ARCH_X86_64" | "SCMP_ARCH_X86" | "SCMP_ARCH_X32" | "SCMP_ARCH_AARCH64" | "SCMP_ARCH_ARM";

/** The native architecture and the compat ones its kernel also runs (so they get the same rules). */
export function seccompArchitectures(nodeArch: string): SeccompArch[] {
  if (nodeArch === "x64") return ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
  if (nodeArch === "arm64") return ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"];
  return [];
}

export function seccompProfile(nodeArch: string) {
  return {
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: seccompArchitectures(nodeArch),
    syscalls: [
      { names: DENIED, action: "SCMP_ACT_ERRNO", errnoRet: EPERM },
      // clone3 passes its flags in memory, out of seccomp's reach: answer "not implemented" so libc
      // falls back to clone, whose flags argument can be checked (as Docker does).
      { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS },
      {
        names: ["clone"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: EPERM,
        // The flags are argument 0 on x86 and arm; deny when CLONE_NEWUSER is set.
        args: [{ index: 0, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER, op: "SCMP_CMP_MASKED_EQ" }],
      },
    ],
  };
}
