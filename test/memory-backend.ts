// The one fake of the runtime: a SandboxBackend whose containers live in memory, for driving the
// reconciler through crash-recovery sequences without runc (the real backend has its own tests in
// test/sandbox and the real-runner tests). A sandbox's files are real directories under a temporary
// state dir, laid out as the runc backend does (upper/, workspace/), so snapshots and restores are
// the real ones. A test can make the next call of an operation throw (a crash at that point) and
// change what the runtime shows behind the runner's back (a reboot, a thaw).
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SandboxBackend, SandboxInfo, SandboxPaths, SandboxSpec, SandboxStatus } from "@/lib/sandbox";

type CrashableOp = "create" | "destroy" | "quarantine" | "pause" | "resume" | "list" | "paths";

export type MemoryBackend = SandboxBackend & {
  stateDir: string;
  /** The status the runtime would list, undefined when there is no container. */
  statusOf(id: string): SandboxStatus | undefined;
  /** The next `times` calls of `op` throw, before doing anything. */
  crashOn(op: CrashableOp, times?: number): void;
  /** Behind the runner's back: the container is gone (a host reboot), its files stay. */
  forgetContainer(id: string): void;
  /** Behind the runner's back: the container's status is changed (thawed by hand, init died). */
  setStatus(id: string, status: SandboxStatus): void;
  /** How many containers were created for `id` so far. */
  createdCount(id: string): number;
  quarantined(id: string): string[];
  cleanup(): void;
};

export function createMemoryBackend(): MemoryBackend {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-memory-backend-"));
  const quarantineDir = path.join(stateDir, ".quarantine");
  const containers = new Map<string, SandboxStatus>();
  const created = new Map<string, number>();
  const crashes = new Map<CrashableOp, number>();

  const crashPoint = (op: CrashableOp, id = "") => {
    const left = crashes.get(op) ?? 0;
    if (left > 0) {
      crashes.set(op, left - 1);
      throw new Error(`simulated crash in ${op} ${id}`.trim());
    }
  };
  const pathsOf = (id: string): SandboxPaths => {
    const root = path.join(stateDir, id);
    return { root, upper: path.join(root, "upper"), workspace: path.join(root, "workspace"), mainOutput: { stdout: path.join(root, "init.out"), stderr: path.join(root, "init.log") }, idMap: null };
  };
  const info = (id: string): SandboxInfo => ({ id, containerId: `burrow-${id}`, status: containers.get(id)!, pid: 0, paths: pathsOf(id) });
  const removeFiles = (id: string, keepFiles: boolean) => {
    const p = pathsOf(id);
    if (!keepFiles) return rmSync(p.root, { recursive: true, force: true });
    for (const name of safeReaddir(p.root)) if (name !== "upper" && name !== "workspace") rmSync(path.join(p.root, name), { recursive: true, force: true });
  };
  const needContainer = (id: string, op: string) => {
    const status = containers.get(id);
    if (status === undefined) throw new Error(`${op}: container burrow-${id} does not exist`);
    if (status === "stopped" || status === "created") throw new Error(`${op}: container burrow-${id} is not running`);
  };
  const unsupported = (what: string) => () => Promise.reject(new Error(`the memory backend does not ${what}`));

  return {
    name: "memory",
    stateDir,
    async create(spec: SandboxSpec) {
      crashPoint("create", spec.id);
      if (containers.has(spec.id)) return info(spec.id);
      const p = pathsOf(spec.id);
      for (const dir of [path.join(p.upper, "rootfs"), path.join(p.upper, "etc"), p.workspace]) mkdirSync(dir, { recursive: true });
      containers.set(spec.id, "running");
      created.set(spec.id, (created.get(spec.id) ?? 0) + 1);
      return info(spec.id);
    },
    async prepareFiles(id) {
      // No disk images in memory: the writable area is plain directories, kept as they are.
      const p = pathsOf(id);
      for (const dir of [p.upper, p.workspace]) mkdirSync(dir, { recursive: true });
    },
    async diskUsage() {
      return null;
    },
    async limitCounters() {
      return { oomKills: 0, pidsLimitHits: 0, peakMemoryBytes: 0 };
    },
    exec: unsupported("run processes"),
    async pause(id) {
      crashPoint("pause", id);
      needContainer(id, "pause");
      containers.set(id, "paused");
    },
    async resume(id) {
      crashPoint("resume", id);
      needContainer(id, "resume");
      containers.set(id, "running");
    },
    async destroy(id, opts = {}) {
      crashPoint("destroy", id);
      containers.delete(id);
      removeFiles(id, Boolean(opts.keepFiles));
    },
    async quarantine(id) {
      crashPoint("quarantine", id);
      containers.delete(id);
      removeFiles(id, true);
      const root = pathsOf(id).root;
      if (!safeReaddir(root).some((n) => n === "upper" || n === "workspace")) {
        rmSync(root, { recursive: true, force: true });
        return null;
      }
      mkdirSync(quarantineDir, { recursive: true });
      const into = path.join(quarantineDir, `${id}-${safeReaddir(quarantineDir).length}`);
      renameSync(root, into);
      return into;
    },
    async list() {
      crashPoint("list");
      return [...containers].map(([id, status]) => ({ id, status })).sort((a, b) => a.id.localeCompare(b.id));
    },
    stats: unsupported("measure"),
    async initHealth(id) {
      return containers.get(id) === "running" ? "ok" : null;
    },
    paths(id) {
      crashPoint("paths", id);
      return pathsOf(id);
    },
    readFile: unsupported("read files"),
    writeFile: unsupported("write files"),
    statusOf: (id) => containers.get(id),
    crashOn(op, times = 1) {
      crashes.set(op, times);
    },
    forgetContainer(id) {
      containers.delete(id);
    },
    setStatus(id, status) {
      containers.set(id, status);
    },
    createdCount: (id) => created.get(id) ?? 0,
    quarantined: (id) => safeReaddir(quarantineDir).filter((n) => n.startsWith(`${id}-`)).map((n) => path.join(quarantineDir, n)),
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
