// The "raw runc" baseline of the session benchmarks: minimal containers driven directly with the
// runc CLI, nothing of Burrow in between but the OCI config. Each container gets the config
// lib/sandbox would write for an imported-image ("dir") template (same namespaces, cgroup limits,
// seccomp profile, mounts, and the static busybox loop as PID 1), on a shared read-only rootfs
// holding only a static busybox (sh, true, sleep), so there is no overlay to mount: the floor
// that runc itself sets.
//
// Container ids are `burrow-rawbench-<run>-<n>` with bundles under this object's temp dir, so
// `runc list` shows them next to the sessions' and the end-of-run check covers them too.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildOciConfig } from "../../lib/sandbox";

const BUSYBOX = "/bin/busybox";
const COMMAND_TIMEOUT_MS = 60_000;

export type RuncResult = { code: number; stderr: string };

/** Runs one runc command to its exit, bounded in time; stderr kept (for errors), stdout when asked. */
function spawnRunc(args: string[], timeoutMs: number, captureStdout: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("runc", args, { stdio: ["ignore", captureStdout ? "pipe" : "ignore", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: stderr.trim() });
    });
  });
}

/** Runs one runc command to its exit; stdout is dropped. */
export async function runc(args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<RuncResult> {
  const { code, stderr } = await spawnRunc(args, timeoutMs, false);
  return { code, stderr };
}

/** Runs runc and captures stdout (for `events --stats`, `list`, `state`). */
export function runcOutput(args: string[], timeoutMs = COMMAND_TIMEOUT_MS) {
  return spawnRunc(args, timeoutMs, true);
}

const must = async (what: string, p: Promise<RuncResult>) => {
  const r = await p;
  if (r.code !== 0) throw new Error(`runc ${what} exited ${r.code}: ${r.stderr.split("\n").slice(-2).join(" ")}`);
};

export type RuncContainerSummary = { id: string; status: string; bundle: string };

/** Every container runc knows about (default root), as `runc list --format json` gives them. */
export async function runcList(): Promise<RuncContainerSummary[]> {
  const r = await runcOutput(["list", "--format", "json"]);
  if (r.code !== 0) throw new Error(`runc list exited ${r.code}: ${r.stderr}`);
  return ((JSON.parse(r.stdout || "null") ?? []) as RuncContainerSummary[]).map((c) => ({ id: c.id, status: c.status, bundle: c.bundle }));
}

/** Memory usage (bytes) of a container's cgroup, from `runc events --stats`. */
export async function runcMemoryBytes(containerId: string): Promise<number> {
  const r = await runcOutput(["events", "--stats", containerId], 10_000);
  if (r.code !== 0) throw new Error(`runc events --stats ${containerId} exited ${r.code}: ${r.stderr}`);
  const data = (JSON.parse(r.stdout) as { data?: { memory?: { usage?: { usage?: number } } } }).data;
  return data?.memory?.usage?.usage ?? 0;
}

export type RawContainer = { id: string; bundle: string; workspace: string };

export type RawRunc = {
  dir: string;
  /** Writes a bundle (config.json; workspace dir unless given) and returns the container's names. */
  prepare(opts?: { workspace?: string; memoryMib?: number }): RawContainer;
  /** `runc run -d`. */
  run(c: RawContainer): Promise<void>;
  /** `runc exec <id> <args>` to its exit; rejects on a non-zero exit. */
  exec(c: RawContainer, args: string[]): Promise<void>;
  pause(c: RawContainer): Promise<void>;
  /** `runc delete --force` and the bundle removed. */
  remove(c: RawContainer): Promise<void>;
  /** Ids of every container made here that may still exist. */
  live(): string[];
  /** Deletes whatever is left and the temp dir. */
  cleanup(): Promise<void>;
  /** Synchronous last resort: remove the temp dir (containers are deleted by cleanup()). */
  removeDir(): void;
};

export function createRawRunc(): RawRunc {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-raw-"));
  const runId = randomBytes(3).toString("hex");
  // The shared read-only rootfs: mount points and a static busybox as sh, true and sleep.
  const rootfs = path.join(dir, "rootfs");
  for (const d of ["bin", "proc", "dev", "sys", "tmp", "workspace"]) mkdirSync(path.join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, path.join(rootfs, "bin", "busybox"));
  for (const applet of ["sh", "true", "sleep"]) symlinkSync("busybox", path.join(rootfs, "bin", applet));

  let n = 0;
  const made = new Set<string>();

  const prepare: RawRunc["prepare"] = (opts = {}) => {
    const id = `burrow-rawbench-${runId}-${++n}`;
    const bundle = path.join(dir, `b${n}`);
    const workspace = opts.workspace ?? path.join(bundle, "workspace");
    mkdirSync(bundle, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    const config = buildOciConfig({
      spec: { id: id.slice("burrow-".length), rootfs: { kind: "dir", path: rootfs }, resources: { vcpu: 1, memoryMib: opts.memoryMib ?? 64 }, env: {} },
      layout: { workspace, upperEtc: "", workEtc: "" },
      host: null,
      cgroupsPath: `/burrow/${id}`,
      arch: process.arch,
    });
    writeFileSync(path.join(bundle, "config.json"), JSON.stringify({ ...config, root: { path: rootfs, readonly: true } }));
    return { id, bundle, workspace };
  };

  const run: RawRunc["run"] = async (c) => {
    made.add(c.id);
    // Like lib/sandbox: the init inherits runc's stdio, so it goes to a file, not a pipe.
    const logFd = openSync(path.join(c.bundle, "init.log"), "w");
    try {
      const r = await new Promise<RuncResult>((resolve, reject) => {
        const child = spawn("runc", ["run", "-d", "--bundle", c.bundle, c.id], { stdio: ["ignore", logFd, logFd] });
        const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIMEOUT_MS);
        child.on("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stderr: "" });
        });
      });
      if (r.code !== 0) throw new Error(`runc run ${c.id} exited ${r.code}: ${readFileSync(path.join(c.bundle, "init.log"), "utf8").slice(-500)}`);
    } finally {
      closeSync(logFd);
    }
  };

  const remove: RawRunc["remove"] = async (c) => {
    const r = await runc(["delete", "--force", c.id]);
    if (r.code !== 0 && !/does not exist|not found/i.test(r.stderr)) throw new Error(`runc delete ${c.id} exited ${r.code}: ${r.stderr}`);
    made.delete(c.id);
    rmSync(c.bundle, { recursive: true, force: true });
  };

  return {
    dir,
    prepare,
    run,
    exec: (c, args) => must(`exec ${c.id}`, runc(["exec", c.id, ...args])),
    pause: (c) => must(`pause ${c.id}`, runc(["pause", c.id])),
    remove,
    live: () => [...made],
    async cleanup() {
      for (const id of [...made]) {
        const r = await runc(["delete", "--force", id]).catch(() => null);
        if (r && (r.code === 0 || /does not exist|not found/i.test(r.stderr))) made.delete(id);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    removeDir: () => rmSync(dir, { recursive: true, force: true }),
  };
}
