import { describe, expect, it } from "vitest";
import { aptInstallCommand, hostTools, type HostTool, packagesFor, planPrerequisites, sandboxToolsProblem } from "./prerequisites";

const tools = hostTools({ runtime: "runc", diskLimits: true });
const tool = (command: string): HostTool => {
  const found = tools.find((t) => t.command === command);
  if (!found) throw new Error(`no tool ${command}`);
  return found;
};
const facts = { isRoot: true, hasApt: true, installAllowed: true };

describe("hostTools", () => {
  it("lists what sandboxes, disk limits and image templates need, with their Debian packages", () => {
    expect(tools.map((t) => [t.command, t.debianPackage])).toEqual([
      ["runc", "runc"], ["zstd", "zstd"], ["getfattr", "attr"], ["setfattr", "attr"], ["python3", "python3"],
      ["mkfs.ext4", "e2fsprogs"], ["skopeo", "skopeo"], ["umoci", "umoci"], ["busybox", "busybox-static"],
    ]);
  });

  it("leaves out e2fsprogs without disk limits, and has no package for a runtime Debian does not ship", () => {
    const other = hostTools({ runtime: "/usr/local/bin/runsc", diskLimits: false });
    expect(other.map((t) => t.command)).not.toContain("mkfs.ext4");
    expect(other[0]).toMatchObject({ command: "/usr/local/bin/runsc", debianPackage: null, purpose: "sandboxes" });
  });
});

describe("network tools", () => {
  it("adds nft, ip and iptables with SANDBOX_NETWORK on, and their lack stops no sandbox (only networked ones fail)", () => {
    const withNet = hostTools({ runtime: "runc", diskLimits: false, network: true });
    expect(withNet.filter((t) => t.purpose === "network").map((t) => [t.command, t.debianPackage])).toEqual([["nft", "nftables"], ["ip", "iproute2"], ["iptables", "iptables"]]);
    expect(sandboxToolsProblem(withNet.filter((t) => t.purpose === "network"))).toBeNull();
    expect(hostTools({ runtime: "runc", diskLimits: false }).some((t) => t.purpose === "network")).toBe(false);
  });
});

describe("exec agent tools", () => {
  it("adds gcc with libc6-dev (static libc) with SANDBOX_EXEC_AGENT on, and their lack stops no sandbox", () => {
    const withAgent = hostTools({ runtime: "runc", diskLimits: false, execAgent: true });
    const agent = withAgent.filter((t) => t.purpose === "exec agent");
    expect(agent.map((t) => t.command)).toEqual(["gcc"]);
    expect(packagesFor(agent)).toEqual(["gcc", "libc6-dev"]);
    expect(sandboxToolsProblem(agent)).toBeNull();
    expect(hostTools({ runtime: "runc", diskLimits: false }).some((t) => t.purpose === "exec agent")).toBe(false);
  });
});

describe("planPrerequisites", () => {
  it("does nothing when nothing is missing (no apt-get at all)", () => {
    expect(planPrerequisites({ ...facts, missing: [] })).toEqual({ action: "none" });
  });

  it("as root with apt: apt-get update, then one install of each missing package once", () => {
    const plan = planPrerequisites({ ...facts, missing: [tool("runc"), tool("getfattr"), tool("setfattr"), tool("busybox")] });
    expect(plan).toEqual({
      action: "install", packages: ["runc", "attr", "busybox-static"],
      steps: [
        { command: "apt-get", args: ["update"] },
        { command: "apt-get", args: ["install", "-y", "--no-install-recommends", "runc", "attr", "busybox-static"] },
      ],
    });
  });

  it.each([
    [{ installAllowed: false }, "BURROW_INSTALL_PREREQUISITES=0"],
    [{ isRoot: false }, "not running as root"],
    [{ hasApt: false }, "apt-get is not available (Burrow installs packages on Debian and Ubuntu)"],
  ])("advises the exact command when it may not install (%o)", (override, why) => {
    const plan = planPrerequisites({ ...facts, ...override, missing: [tool("zstd"), tool("mkfs.ext4")] });
    expect(plan).toEqual({ action: "advise", packages: ["zstd", "e2fsprogs"], command: "apt-get install -y --no-install-recommends zstd e2fsprogs", why });
  });

  it("has no command to offer for a runtime without a Debian package", () => {
    const runsc = hostTools({ runtime: "runsc", diskLimits: false })[0];
    expect(planPrerequisites({ ...facts, missing: [runsc] })).toEqual({ action: "advise", packages: [], command: null, why: "no Debian package provides them" });
  });
});

describe("sandboxToolsProblem", () => {
  it("is null when only image tools are missing (imports fail on their own)", () => {
    expect(sandboxToolsProblem([])).toBeNull();
    expect(sandboxToolsProblem([tool("skopeo"), tool("umoci")])).toBeNull();
  });

  it("names the missing commands and the command that installs them", () => {
    expect(sandboxToolsProblem([tool("runc"), tool("getfattr"), tool("skopeo")]))
      .toBe("runc, getfattr are not installed on the runner's host (as root: apt-get install -y --no-install-recommends runc attr)");
  });

  it("offers SANDBOX_DISK_LIMITS=off when only the disk tool is missing", () => {
    expect(sandboxToolsProblem([tool("mkfs.ext4")]))
      .toBe("mkfs.ext4 is not installed on the runner's host (as root: apt-get install -y --no-install-recommends e2fsprogs; or SANDBOX_DISK_LIMITS=off for disks without a size limit)");
  });

  it("says to install an unpackaged runtime by hand", () => {
    const runsc = hostTools({ runtime: "runsc", diskLimits: false })[0];
    expect(sandboxToolsProblem([runsc])).toBe("runsc is not installed on the runner's host (install runsc and put it on PATH)");
  });
});

it("packagesFor and aptInstallCommand", () => {
  expect(packagesFor([tool("getfattr"), tool("setfattr")])).toEqual(["attr"]);
  expect(aptInstallCommand(["a", "b"])).toBe("apt-get install -y --no-install-recommends a b");
});
