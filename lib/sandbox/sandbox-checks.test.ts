// The pure checks of the module: ids, file paths, specs, exec requests and runtime messages.
import { describe, expect, it } from "vitest";
import { runtimeFailure, runtimeMessage } from "./run-runtime";
import { assertSandboxFilePath } from "./sandbox-files";
import { containerIdOf, sandboxIdOf, sandboxLayout } from "./sandbox-layout";
import { validateExecRequest, validateSandboxSpec } from "./validate-spec";
import { SandboxError } from "./sandbox-error";
import { checkRuntime } from "./check-runtime";
import { createRuncBackend } from "./runc-backend";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof SandboxError ? err.code : "other";
  }
  return null;
};

describe("sandbox ids", () => {
  it("maps session ids to container ids and back, case kept", () => {
    expect(containerIdOf("ses_01JABC")).toBe("burrow-ses_01JABC");
    expect(sandboxIdOf("burrow-ses_01JABC")).toBe("ses_01JABC");
    expect(sandboxIdOf("other-ses_1")).toBeNull();
    expect(sandboxIdOf("burrow-../x")).toBeNull();
  });

  it("refuses ids that could leave the state dir or break mount options", () => {
    for (const id of ["", "../x", "a/b", ".hidden", "a,b", "a:b", "a b", "x".repeat(121)]) {
      expect(codeOf(() => sandboxLayout("/state", id))).toBe("invalid_argument");
    }
    expect(sandboxLayout("/state", "ses_1").upper).toBe("/state/ses_1/disk/upper");
  });
});

describe("assertSandboxFilePath", () => {
  it("accepts absolute paths", () => {
    for (const p of ["/etc/passwd", "/workspace/a b/c.txt", "/root/.bashrc"]) expect(codeOf(() => assertSandboxFilePath(p))).toBeNull();
  });

  it("refuses relative, `..`, NUL, empty, root and overlong paths", () => {
    for (const p of ["../../etc/passwd", "etc/passwd", "/workspace/../../etc/shadow", "/a/..", "/a\0b", "", "/", "//", `/${"a".repeat(5000)}`, 42]) {
      expect(codeOf(() => assertSandboxFilePath(p))).toBe("invalid_path");
    }
  });
});

describe("validateSandboxSpec / validateExecRequest", () => {
  const spec = { id: "ses_1", rootfs: { kind: "host" as const }, resources: { vcpu: 1, memoryMib: 256 }, env: {} };

  it("accepts a plain spec and refuses bad resources, env names and rootfs paths", () => {
    expect(codeOf(() => validateSandboxSpec(spec))).toBeNull();
    expect(codeOf(() => validateSandboxSpec({ ...spec, resources: { vcpu: 0, memoryMib: 256 } }))).toBe("invalid_argument");
    expect(codeOf(() => validateSandboxSpec({ ...spec, resources: { vcpu: 1, memoryMib: 1.5 } }))).toBe("invalid_argument");
    expect(codeOf(() => validateSandboxSpec({ ...spec, env: { "A=B": "x" } }))).toBe("invalid_argument");
    expect(codeOf(() => validateSandboxSpec({ ...spec, rootfs: { kind: "dir", path: "/a,upperdir=/etc" } }))).toBe("invalid_argument");
  });

  it("refuses empty commands, relative cwd and NUL bytes", () => {
    expect(codeOf(() => validateExecRequest({ command: ["true"] }))).toBeNull();
    expect(codeOf(() => validateExecRequest({ command: [] }))).toBe("invalid_argument");
    expect(codeOf(() => validateExecRequest({ command: ["a\0b"] }))).toBe("invalid_argument");
    expect(codeOf(() => validateExecRequest({ command: ["ls"], cwd: "tmp" }))).toBe("invalid_argument");
    expect(codeOf(() => validateExecRequest({ command: ["ls"], timeoutMs: -1 }))).toBe("invalid_argument");
  });
});

describe("runtime messages", () => {
  it("extracts runc's error and classifies it", () => {
    const line = 'time="2026-01-01T00:00:00Z" level=error msg="exec failed: container does not exist"';
    expect(runtimeMessage(`noise\n${line}\n`)).toBe("exec failed: container does not exist");
    expect(runtimeFailure("exec", line).code).toBe("not_found");
    expect(runtimeFailure("exec", 'time="x" level=error msg="exec failed: cannot exec in a paused container (use --ignore-paused to override)"').code).toBe("not_running");
    expect(runtimeFailure("pause", "something else broke").code).toBe("failed");
  });
});

describe("a missing runtime", () => {
  it("is reported with the package to install, by checkRuntime and by the backend", async () => {
    expect(await checkRuntime("/nonexistent/runc")).toEqual({ ok: false, message: "runc not found: apt-get install runc" });
    const backend = createRuncBackend({ stateDir: "/nonexistent/burrow-state", runtimeBinary: "/nonexistent/runc" });
    expect(backend.name).toBe("runc");
    const spec = { id: "ses_1", rootfs: { kind: "host" as const }, resources: { vcpu: 1, memoryMib: 256 }, env: {} };
    await expect(backend.create(spec)).rejects.toMatchObject({ code: "runtime_missing", message: "runc not found: apt-get install runc" });
    await expect(backend.exec("ses_1", { command: ["true"] })).rejects.toMatchObject({ code: "runtime_missing" });
  });
});
