// Shared setup of the sandbox integration tests: a backend over a fresh temp state dir per test
// file, sandboxes with unique ids, and cleanup that runs even when a test fails — every sandbox
// destroyed after each test, and after the file any leftover container, mount or file removed
// directly (so a bug in destroy() cannot leak onto the host).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { checkRuntime, createRuncBackend, type IdMap, type SandboxBackend, type SandboxSpec } from "../../lib/sandbox";

export const RUNTIME = "runc";

export function newSandboxId() {
  return `ses_T${randomBytes(8).toString("hex").toUpperCase()}`;
}

export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)));
}

export type MountEntry = { root: string; mountPoint: string; options: string[]; fsType: string };

/** Parses a mountinfo text (proc(5)): the fields the isolation checks look at. */
export function parseMountinfo(text: string): MountEntry[] {
  return text.split("\n").filter(Boolean).map((line) => {
    const [pre, post = ""] = line.split(" - ");
    const f = pre.split(" ");
    return { root: f[3], mountPoint: f[4], options: f[5].split(","), fsType: post.split(" ")[0] };
  });
}

/** The only mount points a sandbox may have: its root, the kernel's filesystems, /etc, /workspace and the host's system directories read-only. */
const SANDBOX_MOUNT_POINTS = /^\/$|^\/(proc|dev|sys)(\/.*)?$|^\/(etc|workspace)$/;
const HOST_SYSTEM_DIRS = /^\/(usr|bin|sbin|lib\w*)$/;

/**
 * What is wrong with a sandbox's own mount table (empty when nothing): a mount point outside the
 * allowed set (a host directory showing through), a host system directory or /sys writable or
 * bound from elsewhere, or a /workspace that is not this sandbox's own.
 */
export function sandboxMountViolations(mountinfo: string, own: { workspace: string }): string[] {
  const mounts = parseMountinfo(mountinfo);
  const problems: string[] = [];
  for (const m of mounts) {
    if (HOST_SYSTEM_DIRS.test(m.mountPoint)) {
      if (!m.options.includes("ro")) problems.push(`${m.mountPoint} is not read-only`);
      if (m.root !== m.mountPoint) problems.push(`${m.mountPoint} is a bind of ${m.root}`);
    } else if (!SANDBOX_MOUNT_POINTS.test(m.mountPoint)) problems.push(`unexpected mount point ${m.mountPoint}`);
  }
  const at = (p: string) => mounts.filter((m) => m.mountPoint === p);
  for (const p of ["/", "/proc", "/usr", "/etc", "/workspace", "/sys"]) if (at(p).length !== 1) problems.push(`${p} mounted ${at(p).length} times`);
  for (const p of ["/sys", "/proc/sys"]) if (at(p)[0] && !at(p)[0].options.includes("ro")) problems.push(`${p} is not read-only`);
  const workspace = at("/workspace")[0];
  if (workspace && workspace.root !== own.workspace) problems.push(`/workspace is a bind of ${workspace.root}, not ${own.workspace}`);
  if (at("/")[0] && at("/")[0].fsType !== "overlay") problems.push(`/ is ${at("/")[0].fsType}, not the session's overlay`);
  return problems;
}

/**
 * Every container of the host's runtime root. `runc list` fails when a container another process is
 * deleting vanishes between its readdir and its stat (other test files run in parallel), so that
 * one error is retried a few times.
 */
export function runtimeContainers(): { id: string; status: string; bundle: string }[] {
  for (let attempt = 1; ; attempt++) {
    try {
      return JSON.parse(execFileSync(RUNTIME, ["list", "--format", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) || "null") ?? [];
    } catch (e) {
      if (attempt >= 5 || !/no such file or directory/.test(String((e as { stderr?: unknown }).stderr ?? ""))) throw e;
    }
  }
}

/** idMap: run the sandboxes in a user namespace with this uid/gid range. */
export function useSandboxes(opts: { idMap?: IdMap } = {}) {
  let stateDir = "";
  let backend: SandboxBackend | undefined;
  const live = new Set<string>();

  beforeAll(async () => {
    const runtime = await checkRuntime(RUNTIME);
    if (!runtime.ok) throw new Error(`Sandbox integration tests need ${RUNTIME} as root: ${runtime.message}`);
    stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-sandbox-test-"));
    backend = createRuncBackend({ stateDir, runtimeBinary: RUNTIME, idMap: opts.idMap });
  });

  afterEach(async () => {
    const errors: string[] = [];
    for (const id of live) await backend!.destroy(id).catch((e: Error) => errors.push(`${id}: ${e.message}`));
    live.clear();
    if (errors.length) throw new Error(`destroy failed: ${errors.join("; ")}`);
  });

  afterAll(() => {
    if (!stateDir) return;
    // Safety net, independent of the code under test.
    for (const c of runtimeContainers()) {
      if (c.bundle.startsWith(`${stateDir}/`)) execFileSync(RUNTIME, ["delete", "--force", c.id]);
    }
    for (const m of mountsUnder(stateDir).sort((a, b) => b.length - a.length)) execFileSync("umount", ["-l", m]);
    if (mountsUnder(stateDir).length === 0) rmSync(stateDir, { recursive: true, force: true });
  });

  return {
    get backend(): SandboxBackend {
      if (!backend) throw new Error("backend not ready (beforeAll failed)");
      return backend;
    },
    get stateDir() {
      return stateDir;
    },
    /** Creates a sandbox that afterEach destroys. */
    async start(over: Partial<SandboxSpec> = {}) {
      const id = over.id ?? newSandboxId();
      live.add(id);
      const spec: SandboxSpec = { id, rootfs: { kind: "host" }, resources: { vcpu: 1, memoryMib: 256 }, env: {}, ...over };
      const info = await this.backend.create(spec);
      return { id, info, spec };
    },
    /** For a test that destroys on its own and wants afterEach to leave it alone. */
    forget(id: string) {
      live.delete(id);
    },
  };
}

/** Runs a shell snippet in the sandbox and returns its result (bounded by a timeout). */
export function sh(backend: SandboxBackend, id: string, script: string, opts: { timeoutMs?: number; stdin?: string } = {}) {
  return backend.exec(id, { command: ["sh", "-c", script], timeoutMs: opts.timeoutMs ?? 20_000, stdin: opts.stdin });
}
