// The exec agent (lib/sandbox/agent/burrow-agent.c): PID 1 of new sandboxes and the way execs
// start in them. Each check compares with `runc exec` into the same sandbox where there is a
// "same as before" to keep (a second backend on the same state dir with the agent off uses the
// `runc exec` path), against real runc and a real kernel.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRuncBackend, EXEC_TIMEOUT_EXIT_CODE, type SandboxBackend } from "../../lib/sandbox";
import { createLocalDirStore, restoreSnapshot, writeSnapshot } from "../../lib/snapshots/store";
import { waitFor } from "../wait-for";
import { sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
/** The same sandboxes through `runc exec` only (SANDBOX_EXEC_AGENT=off), and for old-init sandboxes. */
const viaRunc = () => createRuncBackend({ stateDir: sandboxes.stateDir, execAgent: false });

/** "pid state cmdline" of every process in the sandbox. */
const processes = async (backend: SandboxBackend, id: string) =>
  (await sh(backend, id, `for p in /proc/[0-9]*; do echo "\${p#/proc/} $(cut -d' ' -f3 $p/stat 2>/dev/null) $(tr '\\0' ' ' < $p/cmdline 2>/dev/null)"; done`)).stdout;

/** The comm names from the shell running the script up to the sandbox's root of the process tree. */
const ANCESTRY = "p=$$; while [ \"$p\" != 0 ]; do cat /proc/$p/comm; p=$(sed -n 's/^PPid:\\t//p' /proc/$p/status); done";
/** Whether the exec ran through the agent (its keeper, "burrow-exec", is an ancestor) rather than runc exec. */
const viaAgent = async (backend: SandboxBackend, id: string) => (await sh(backend, id, ANCESTRY)).stdout.split("\n").includes("burrow-exec");

/** Every file name under dir (recursive). */
function namesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((n) => path.basename(n));
}

describe("the exec agent", () => {
  it("is PID 1, reaps orphans (no zombie left by `sleep 0 &`) and runs execs as its descendants", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    expect(await processes(backend, id)).toMatch(/^1 S \/dev\/\.burrow\/agent $/m);
    // Through the agent the exec's ancestors are inside the sandbox; through `runc exec` they end outside.
    expect(await viaAgent(backend, id)).toBe(true);
    expect(await viaAgent(viaRunc(), id)).toBe(false);

    await sh(backend, id, "sleep 0 &");
    await sh(backend, id, "sleep 0.3 >/dev/null 2>&1 & echo started"); // outlives its exec: PID 1's orphan
    // A zombie has no cmdline: the sleepers gone and no process in state Z means PID 1 reaped them
    // (a PID 1 that did not would leave them as zombies for good).
    await waitFor(async () => {
      const left = await processes(backend, id);
      return !/sleep 0/.test(left) && !/^\d+ Z /m.test(left);
    }, { what: "the orphaned sleepers to end and be reaped" });
    // TERM, INT and HUP from inside do not end it.
    expect((await sh(backend, id, "kill -TERM 1; kill -INT 1; kill -HUP 1; echo sent")).stdout).toBe("sent\n");
    expect((await sh(backend, id, "echo alive")).stdout).toBe("alive\n");
  });

  it("reports exit codes, signals, output and start failures exactly as runc exec does", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const runc = viaRunc();
    await sh(backend, id, "echo 'echo hi' > /tmp/not-executable");
    const cases: { command: string[]; cwd?: string; exitCode: number }[] = [
      { command: ["true"], exitCode: 0 },
      { command: ["false"], exitCode: 1 },
      { command: ["sh", "-c", "echo out; echo err >&2; exit 3"], exitCode: 3 },
      { command: ["no-such-command"], exitCode: 127 },
      { command: ["/tmp/not-executable"], exitCode: 126 },
      { command: ["sh", "-c", "kill -9 $$"], exitCode: 137 },
      { command: ["sh", "-c", "kill -TERM $$"], exitCode: 143 },
      { command: ["ls"], cwd: "/no/such/dir", exitCode: 126 },
      { command: ["sh", "-c", "echo $FOO; pwd; id -u; echo x > /dev/stderr"], cwd: "/tmp", exitCode: 0 },
    ];
    for (const c of cases) {
      const req = { command: c.command, cwd: c.cwd, env: { FOO: "bar" }, timeoutMs: 10_000 };
      const [a, r] = [await backend.exec(id, req), await runc.exec(id, req)];
      expect({ command: c.command, exitCode: a.exitCode }).toEqual({ command: c.command, exitCode: c.exitCode });
      expect({ command: c.command, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ command: c.command, exitCode: a.exitCode, stdout: a.stdout, stderr: a.stderr });
    }
  });

  it("gives commands the rights runc exec gives (uid, capabilities, no_new_privs, seccomp, cgroup, limits, env)", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ env: { FROM_SPEC: "yes" } });
    const script = "grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; cat /proc/self/cgroup /proc/self/oom_score_adj; ulimit -n; umask; env | grep -v '^_=' | sort";
    const [a, r] = [await sh(backend, id, script), await sh(viaRunc(), id, script)];
    expect(a.stdout).toContain("FROM_SPEC=yes");
    expect(a.stdout).toContain("Seccomp:\t2");
    expect(a.stdout).toBe(r.stdout);
  });

  it("kills the whole tree at the timeout, a double-forked setsid daemon too", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const r = await backend.exec(id, { command: ["sh", "-c", "(setsid sh -c 'sleep 1003' >/dev/null 2>&1 &); sleep 1004 & sleep 1005"], timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: EXEC_TIMEOUT_EXIT_CODE });
    await waitFor(async () => !/sleep 100[345]/.test(await processes(backend, id)), { what: "the tree to be gone", timeoutMs: 3_000 });
    // A server started in the background by an exec that ended normally stays.
    await sh(backend, id, "setsid sleep 1006 >/dev/null 2>&1 & echo ok");
    await waitFor(async () => /sleep 1006/.test(await processes(backend, id)), { what: "the background sleeper to run" });
  });

  it("feeds stdin (1 MiB) and returns while a background child holds stdout", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const big = "x".repeat(1024 * 1024);
    const r = await backend.exec(id, { command: ["sh", "-c", "wc -c"], stdin: big });
    expect(r.stdout.trim()).toBe(String(big.length));
    const bg = await backend.exec(id, { command: ["sh", "-c", "sleep 30 & echo started"], timeoutMs: 20_000 });
    expect(bg).toMatchObject({ exitCode: 0, stdout: "started\n", timedOut: false }); // not the 20 s timeout
  });

  it("runs 20 execs at once, each with its own output, stdin and exit code", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => backend.exec(id, { command: ["sh", "-c", `read x; echo "$x-${i}"; echo e${i} >&2; exit ${i}`], stdin: `in${i}\n`, timeoutMs: 20_000 })),
    );
    results.forEach((r, i) => expect(r).toMatchObject({ exitCode: i, stdout: `in${i}-${i}\n`, stderr: `e${i}\n`, timedOut: false }));
  });

  it("aborts an exec when the caller cancels, with runc exec's exit code", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const r = await backend.exec(id, { command: ["sh", "-c", "sleep 1007"], signal: abort.signal, timeoutMs: 20_000 });
    expect(r).toMatchObject({ cancelled: true, timedOut: false, exitCode: 137 });
    await waitFor(async () => !/sleep 1007/.test(await processes(backend, id)), { what: "the command to be gone", timeoutMs: 3_000 });
  });

  it("a sandbox started with the old init (before the agent, or SANDBOX_EXEC_AGENT=off) still execs, through runc", async () => {
    const old = viaRunc();
    const id = `ses_TOLD${Date.now()}`;
    const { backend } = sandboxes;
    try {
      await old.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 1, memoryMib: 256 }, env: {} });
      // The runner upgraded with sandboxes running: the agent-enabled backend execs into them.
      expect(await processes(backend, id)).toMatch(/^1 S \/bin\/sh -c trap/m);
      expect(await backend.exec(id, { command: ["sh", "-c", "echo old; exit 4"] })).toMatchObject({ exitCode: 4, stdout: "old\n" });
      expect(await viaAgent(backend, id)).toBe(false); // runc exec
      const t = await backend.exec(id, { command: ["sleep", "1008"], timeoutMs: 300 });
      expect(t).toMatchObject({ timedOut: true, exitCode: EXEC_TIMEOUT_EXIT_CODE });
    } finally {
      await old.destroy(id);
    }
  });

  it("leaves the agent and its socket out of the workspace, the upper layer and a snapshot of them", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    await sh(backend, id, "echo hi > /workspace/f; echo hi > /root/g");
    const paths = backend.paths(id);
    const storeDir = mkdtempSync(path.join(os.tmpdir(), "burrow-agent-snap-"));
    try {
      const store = createLocalDirStore(path.join(storeDir, "store"));
      const trees = { upper: paths.upper, workspace: paths.workspace };
      const { manifestHash } = await writeSnapshot({ store, trees, parent: null, idMap: paths.idMap });
      const restored = { upper: path.join(storeDir, "upper"), workspace: path.join(storeDir, "workspace") };
      await restoreSnapshot({ store, manifestHash, targets: restored });
      for (const dir of [paths.upper, paths.workspace, restored.upper, restored.workspace]) {
        const names = namesUnder(dir);
        expect(names.some((n) => /^(f|g)$/.test(n))).toBe(true);
        expect(names.filter((n) => /agent|\.burrow|\.sock$/.test(n))).toEqual([]);
      }
      // Inside, the agent is a read-only file in /dev and its socket is nowhere.
      const inside = await sh(backend, id, "ls -a /dev/.burrow; grep ' /dev/.burrow/agent ' /proc/self/mounts; find / -xdev -name 'agent.sock' 2>/dev/null | head -1");
      expect(inside.stdout).toMatch(/^\.\n\.\.\nagent\n\S+ \/dev\/\.burrow\/agent \S+ ro,[^\n]*\n$/);
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it("keeps PID 1's descriptors (the listening socket) out of reach from inside: pidfd_getfd is refused", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const py = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nfd = os.pidfd_open(1)\nr = libc.syscall(438, fd, 3, 0)\nprint(r, os.strerror(ctypes.get_errno()))";
    const r = await backend.exec(id, { command: ["python3", "-c", py] });
    expect(r).toMatchObject({ exitCode: 0, stdout: "-1 Operation not permitted\n" });
    // The main output stays writable the usual way.
    expect(await backend.exec(id, { command: ["sh", "-c", "echo to-main >> /proc/1/fd/1 && echo ok"] })).toMatchObject({ exitCode: 0, stdout: "ok\n" });
  });

  it("is refused on a paused sandbox (not queued) and serves again after resume", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    await backend.pause(id);
    const err = await backend.exec(id, { command: ["true"], timeoutMs: 10_000 }).catch((e) => e);
    expect(err).toMatchObject({ code: "not_running" });
    await backend.resume(id);
    expect(await viaAgent(backend, id)).toBe(true);
  });
});
