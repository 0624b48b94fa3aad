import { describe, expect, it } from "vitest";
import { AGENT_PATH, buildOciConfig, DIR_INIT_ARGS, INIT_ARGS, type OciConfigInput, STATIC_INIT_PATH } from "./build-oci-config";
import type { HostTemplate } from "./host-template";
import type { SandboxSpec } from "./types";

const layout = { workspace: "/state/ses_1/workspace", upperEtc: "/state/ses_1/upper/etc", workEtc: "/state/ses_1/work/etc" };
const host: HostTemplate = {
  skeletonDir: "/state/.templates/host-root-abc",
  etcMaskDir: "/state/.templates/etc-mask-def",
  rootLinks: [
    { name: "bin", kind: "symlink", target: "usr/bin" },
    { name: "lib64", kind: "dir" },
  ],
};
const spec = (over: Partial<SandboxSpec> = {}): SandboxSpec => ({
  id: "ses_1",
  rootfs: { kind: "host" },
  resources: { vcpu: 1.5, memoryMib: 512 },
  env: { FOO: "bar" },
  ...over,
});
const build = (over: Partial<OciConfigInput> = {}) =>
  buildOciConfig({ spec: spec(), layout, host, cgroupsPath: "/burrow/burrow-ses_1", arch: "x64", ...over });

describe("buildOciConfig", () => {
  it("turns resources into cgroup limits: CFS quota, memory without swap, pids", () => {
    const { resources } = build().linux;
    expect(resources.cpu).toEqual({ quota: 150_000, period: 100_000 });
    expect(resources.memory).toEqual({ limit: 512 * 1024 * 1024, swap: 512 * 1024 * 1024 });
    expect(resources.pids).toEqual({ limit: 256 });
    expect(resources.devices).toEqual([{ allow: false, access: "rwm" }]);
  });

  it("keeps a tiny vCPU share above the kernel's minimum quota and honours an explicit pids limit", () => {
    const { resources } = build({ spec: spec({ resources: { vcpu: 0.001, memoryMib: 64, pids: 32 } }) }).linux;
    expect(resources.cpu.quota).toBe(1_000);
    expect(resources.pids.limit).toBe(32);
  });

  it("adds a user namespace with the runner's range, and chown/setuid capabilities only with it", () => {
    const plain = build();
    expect(plain.linux.namespaces.map((n) => n.type)).not.toContain("user");
    expect(plain.process.capabilities.bounding).not.toContain("CAP_CHOWN");
    const mapped = build({ idMap: { hostBase: 100_000, size: 65_536 } });
    expect(mapped.linux.namespaces.map((n) => n.type)).toContain("user");
    expect(mapped.linux).toMatchObject({
      uidMappings: [{ containerID: 0, hostID: 100_000, size: 65_536 }],
      gidMappings: [{ containerID: 0, hostID: 100_000, size: 65_536 }],
    });
    expect(mapped.process.capabilities.bounding).toEqual(expect.arrayContaining(["CAP_CHOWN", "CAP_SETUID", "CAP_KILL"]));
    expect(mapped.process.capabilities.bounding).not.toContain("CAP_SYS_ADMIN");
  });

  it("gives the sandbox its own pid, network, ipc, uts, mount and cgroup namespaces, none joined from the host", () => {
    const { namespaces } = build().linux;
    expect(namespaces.map((n) => n.type).sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "uts"]);
    expect(namespaces.every((n) => !("path" in n))).toBe(true);
  });

  it("runs the reaping init as PID 1 with runc's default capabilities and no new privileges", () => {
    const { process: p } = build();
    expect(p.args).toEqual(INIT_ARGS);
    expect(p.noNewPrivileges).toBe(true);
    expect(p.capabilities.bounding).toEqual(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]);
    expect(p.user).toEqual({ uid: 0, gid: 0 });
    expect(p.cwd).toBe("/workspace");
  });

  it("runs the exec agent as PID 1 when given one, bound read-only into /dev (host and dir rootfs alike, no busybox)", () => {
    for (const c of [build({ agentBinary: "/cache/burrow-agent-x" }), build({ host: null, agentBinary: "/cache/burrow-agent-x" })]) {
      expect(c.process.args).toEqual([AGENT_PATH]);
      expect(c.mounts.filter((m) => m.destination.startsWith("/dev/.burrow"))).toEqual([
        { destination: AGENT_PATH, type: "bind", source: "/cache/burrow-agent-x", options: ["bind", "ro", "nosuid", "nodev"] },
      ]);
      expect(c.mounts.findIndex((m) => m.destination === "/dev")).toBeLessThan(c.mounts.findIndex((m) => m.destination === AGENT_PATH));
    }
  });

  it("merges the environment over defaults, one entry per name", () => {
    const env = build({ spec: spec({ env: { FOO: "bar", PATH: "/opt/bin" } }) }).process.env;
    expect(env).toContain("FOO=bar");
    expect(env).toContain("PATH=/opt/bin");
    expect(env.filter((e) => e.startsWith("PATH="))).toHaveLength(1);
    expect(env).toContain("HOME=/root");
  });

  it("mounts /usr and real top-level dirs read-only, /etc as an overlay with the secret mask, /workspace read-write", () => {
    const mounts = build().mounts;
    const at = (d: string) => mounts.find((m) => m.destination === d);
    expect(at("/usr")).toEqual({ destination: "/usr", type: "bind", source: "/usr", options: ["bind", "ro", "nosuid", "nodev"] });
    expect(at("/lib64")?.options).toContain("ro");
    expect(at("/bin")).toBeUndefined(); // a symlink in the skeleton, not a mount
    expect(at("/etc")).toEqual({
      destination: "/etc",
      type: "overlay",
      source: "overlay",
      options: ["lowerdir=/state/.templates/etc-mask-def:/etc", "upperdir=/state/ses_1/upper/etc", "workdir=/state/ses_1/work/etc", "nosuid", "nodev"],
    });
    expect(at("/workspace")).toEqual({ destination: "/workspace", type: "bind", source: layout.workspace, options: ["bind", "rw", "nosuid", "nodev"] });
    expect(at("/sys")?.options).toContain("ro");
    expect(at("/sys/fs/cgroup")?.options).toContain("ro");
  });

  it("binds no host path writable except the sandbox's own workspace", () => {
    for (const m of build().mounts.filter((m) => m.type === "bind")) {
      if (m.source !== layout.workspace) expect(m.options).toContain("ro");
      expect(m.options).not.toContain("rbind");
    }
  });

  it("adds no host mounts for a dir rootfs but the static init, read-only in /dev, which runs PID 1", () => {
    const c = build({ spec: spec({ rootfs: { kind: "dir", path: "/images/alpine" } }), host: null });
    expect(c.mounts.filter((m) => m.type === "bind" || m.type === "overlay").map((m) => m.destination)).toEqual([STATIC_INIT_PATH, "/workspace"]);
    expect(c.mounts.find((m) => m.destination === STATIC_INIT_PATH)).toEqual({
      destination: STATIC_INIT_PATH, type: "bind", source: "/bin/busybox", options: ["bind", "ro", "nosuid", "nodev"],
    });
    expect(c.mounts.findIndex((m) => m.destination === "/dev")).toBeLessThan(c.mounts.findIndex((m) => m.destination === STATIC_INIT_PATH));
    expect(c.process.args).toEqual(DIR_INIT_ARGS);
    expect(DIR_INIT_ARGS[0]).toBe(STATIC_INIT_PATH);
  });

  it("keeps runc's masked and read-only paths, a writable overlay root and the hostname", () => {
    const c = build({ spec: spec({ hostname: "agent-1" }) });
    expect(c.linux.maskedPaths).toEqual(expect.arrayContaining(["/proc/kcore", "/proc/keys", "/sys/firmware"]));
    expect(c.linux.readonlyPaths).toEqual(expect.arrayContaining(["/proc/sys", "/proc/sysrq-trigger"]));
    expect(c.root).toEqual({ path: "rootfs", readonly: false });
    expect(c.hostname).toBe("agent-1");
    expect(c.linux.cgroupsPath).toBe("/burrow/burrow-ses_1");
  });

  it("denies user namespaces and kernel-facing syscalls in the seccomp profile", () => {
    const { seccomp } = build().linux;
    expect(seccomp.defaultAction).toBe("SCMP_ACT_ALLOW");
    expect(seccomp.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    const denied = seccomp.syscalls.flatMap((r) => (r.action === "SCMP_ACT_ERRNO" && !("args" in r) ? r.names : []));
    expect(denied).toEqual(expect.arrayContaining(["unshare", "setns", "keyctl", "bpf", "mount", "userfaultfd", "clone3"]));
    const clone = seccomp.syscalls.find((r) => r.names.includes("clone"));
    expect(clone && "args" in clone ? clone.args : []).toEqual([{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: "SCMP_CMP_MASKED_EQ" }]);
  });
});
