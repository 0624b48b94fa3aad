// Can this runtime and kernel run sandboxes in a user namespace? The runner asks once at start
// with a tiny real sandbox (the same code path as every session: overlay, /etc overlay inside the
// namespace, cgroups, exec) and reports the answer as its `userNamespaces` capability.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { hostIdOf, type IdMap } from "./id-map";
import { addSearchForOthers } from "./create-sandbox";
import { createRuncBackend } from "./runc-backend";

export type UserNamespaceProbe = { ok: true } | { ok: false; message: string };

const PROBE_TIMEOUT_MS = 20_000;

export async function probeUserNamespaces(opts: { runtime: string; stateDir: string; idMap: NonNullable<IdMap> }): Promise<UserNamespaceProbe> {
  let limit: string | null = null;
  try {
    limit = readFileSync("/proc/sys/user/max_user_namespaces", "utf8").trim();
  } catch {
    return { ok: false, message: "the kernel has no user namespaces (no /proc/sys/user/max_user_namespaces)" };
  }
  if (limit === "0") return { ok: false, message: "the kernel allows no user namespaces (/proc/sys/user/max_user_namespaces is 0)" };
  // Its own state dir beside the sandboxes' (same filesystem), removed afterwards.
  const stateDir = path.join(opts.stateDir, ".userns-probe");
  const backend = createRuncBackend({ stateDir, runtimeBinary: opts.runtime, idMap: opts.idMap });
  const id = `userns-probe-${randomBytes(4).toString("hex")}`;
  try {
    await fs.mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
    await allowSearchDownTo(opts.stateDir);
    const info = await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 0.5, memoryMib: 64, pids: 16 }, env: {} });
    const inside = await backend.exec(id, { command: ["sh", "-c", "id -u; touch /workspace/probe && stat -c %u /workspace/probe"], timeoutMs: PROBE_TIMEOUT_MS });
    const hostUid = readFileSync(`/proc/${info.pid}/status`, "utf8").match(/^Uid:\s+(\d+)/m)?.[1];
    const expected = String(hostIdOf(opts.idMap, 0));
    if (inside.exitCode !== 0 || inside.stdout.trim() !== "0\n0" || hostUid !== expected) {
      return { ok: false, message: `a probe sandbox did not map root (inside: ${JSON.stringify(inside.stdout.trim())} ${inside.stderr.trim()}, host uid ${hostUid}, expected ${expected})` };
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  } finally {
    await backend.destroy(id).catch(() => {});
    await fs.rm(stateDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * runc, as the namespace's root, must walk from / to each sandbox's bundle: every ancestor of the
 * state dir gets search (never read) for others. DATA_DIR's entries are owner-only
 * (restrict-data-dir.ts) and each sandbox's own dir is closed to others (create-sandbox.ts).
 */
async function allowSearchDownTo(stateDir: string): Promise<void> {
  for (let dir = path.resolve(stateDir); ; dir = path.dirname(dir)) {
    await addSearchForOthers(dir);
    if (dir === path.dirname(dir)) return;
  }
}

export type UserNamespaceChoice = {
  /** The range the backend runs sandboxes with, or null (root inside is host root). */
  idMap: IdMap;
  /** One line for the runner's log saying what it does and, when off, why and what it means. */
  logLine: string;
  /** SANDBOX_USERNS=on and the probe failed: the runner must not run sandboxes. */
  refuse: boolean;
};

/** SANDBOX_USERNS: auto uses them when the probe works, on requires them, off never probes. */
export async function chooseUserNamespaces(opts: { mode: "auto" | "on" | "off"; runtime: string; stateDir: string; uidBase: number; size: number }): Promise<UserNamespaceChoice> {
  const withoutMeaning = "root in a sandbox is root on the host (limited by capabilities, seccomp and read-only host mounts)";
  if (opts.mode === "off") return { idMap: null, logLine: `user namespaces off (SANDBOX_USERNS=off): ${withoutMeaning}`, refuse: false };
  const idMap = { hostBase: opts.uidBase, size: opts.size };
  const probe = await probeUserNamespaces({ runtime: opts.runtime, stateDir: opts.stateDir, idMap });
  if (probe.ok) return { idMap, logLine: `user namespaces on: root in a sandbox is host uid/gid ${idMap.hostBase} (range ${idMap.hostBase}-${idMap.hostBase + idMap.size - 1})`, refuse: false };
  if (opts.mode === "on") return { idMap: null, logLine: `user namespaces required (SANDBOX_USERNS=on) but unavailable: ${probe.message}`, refuse: true };
  return { idMap: null, logLine: `user namespaces unavailable, sandboxes run without them: ${withoutMeaning}. Cause: ${probe.message}`, refuse: false };
}
