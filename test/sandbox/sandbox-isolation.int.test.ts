// Hostile workloads against real runc: each must hit a limit or a wall inside its sandbox while the
// host (this test process, its children) and a neighbouring sandbox carry on.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait-for";
import { mountsUnder, newSandboxId, sandboxMountViolations, sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts event-loop ticks, to show this process kept running while a sandbox misbehaved. */
function heartbeat() {
  let beats = 0;
  const timer = setInterval(() => beats++, 50);
  return { stop: () => (clearInterval(timer), beats) };
}

describe("resource limits", () => {
  it("stops a fork bomb at the pids limit while the host and another sandbox go on", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 512, pids: 64 } });
    const { id: neighbour } = await sandboxes.start();
    const beat = heartbeat();
    // Every process forks forever and shrugs off EAGAIN: it stays at the limit until killed.
    const bomb = backend.exec(id, { command: ["python3", "-c", "import os\nwhile True:\n  try: os.fork()\n  except OSError: pass"], timeoutMs: 3_000 });
    const during = await waitFor(async () => {
      const stats = await backend.stats(id);
      return stats.pids > 32 && stats;
    }, { what: "the fork bomb to fill the pids limit", timeoutMs: 2_500 });
    expect(during.pids).toBeLessThanOrEqual(64);
    expect((await sh(backend, neighbour, "echo alive", { timeoutMs: 5_000 })).stdout).toBe("alive\n");
    const result = await bomb;
    expect(result.timedOut).toBe(true);
    expect(beat.stop()).toBeGreaterThan(30); // this process's event loop kept turning throughout
    // The timeout took the whole tree down: only the init and its sleep are left.
    expect((await backend.stats(id)).pids).toBeLessThanOrEqual(3);
    const probe = await backend.exec(id, {
      command: ["python3", "-c", "import os, time\nn=0\ntry:\n  for _ in range(200):\n    if os.fork()==0:\n      time.sleep(5); os._exit(0)\n    n+=1\nexcept OSError as e: print('refused after', n, e.errno)"],
      timeoutMs: 15_000,
    });
    expect(probe.stdout).toMatch(/^refused after \d+ 11\n$/); // EAGAIN at the limit
    expect(Number(probe.stdout.split(" ")[2])).toBeLessThan(64);
  });

  it("OOM-kills a process allocating twice the memory limit; the sandbox and its neighbour go on", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 64 } });
    const { id: neighbour } = await sandboxes.start();
    const hog = await backend.exec(id, { command: ["python3", "-c", "b = b'x' * (128 * 1024 * 1024); print('survived', len(b))"], timeoutMs: 30_000 });
    expect(hog.stdout).not.toContain("survived");
    expect(hog.exitCode).toBe(137); // SIGKILL from the OOM killer
    expect((await sh(backend, id, "echo still-here")).stdout).toBe("still-here\n");
    expect((await sh(backend, neighbour, "echo alive")).stdout).toBe("alive\n");
  });
});

describe("filesystem walls", () => {
  it("does not show the host's /etc/shadow (or other root-only /etc files) inside", async () => {
    const { backend } = sandboxes;
    expect(statSync("/etc/shadow").isFile()).toBe(true); // the host has one: the test means something
    const { id } = await sandboxes.start();
    const r = await sh(backend, id, "cat /etc/shadow; cat /etc/gshadow; ls /etc/ssl/private; echo done");
    expect(r.stdout).toBe("done\n");
    expect(r.stderr).toMatch(/shadow: No such file/);
    expect(r.stdout + r.stderr).not.toMatch(/root:[^:]*:\d+:/);
    await expect(backend.readFile(id, "/etc/shadow", 1 << 20)).rejects.toMatchObject({ code: "not_found" });
    // Ordinary /etc files are there.
    expect((await backend.readFile(id, "/etc/passwd", 1 << 20)).toString()).toMatch(/^root:x:0:0:/);
  });

  it("refuses writes under /usr and cannot remount it", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const r = await sh(backend, id, "touch /usr/burrow-x; echo a >> /usr/bin/python3; mount -o remount,rw /usr; rm -f /usr/bin/env; echo done");
    expect(r.stdout).toBe("done\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(existsSync("/usr/burrow-x")).toBe(false);
    expect(existsSync("/usr/bin/env")).toBe(true);
    await expect(backend.writeFile(id, "/usr/lib/burrow-x", Buffer.from("x"), 10)).rejects.toMatchObject({ code: "failed" });
  });

  it("refuses `..` paths and keeps symlinks inside the sandbox", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    for (const bad of ["../../etc/passwd", "/workspace/../../etc/passwd", "etc/passwd", "/tmp/a\0b"]) {
      await expect(backend.readFile(id, bad, 1024)).rejects.toMatchObject({ code: "invalid_path" });
      await expect(backend.writeFile(id, bad, Buffer.from("x"), 1024)).rejects.toMatchObject({ code: "invalid_path" });
    }
    // A symlink planted from the host side, and one made inside, both resolve in the sandbox.
    const marker = `burrow-escape-${newSandboxId()}`;
    symlinkSync("/tmp", path.join(backend.paths(id).workspace, "host-tmp"));
    await sh(backend, id, "ln -s ../../../../../../../ /workspace/up && ln -s /etc/shadow /workspace/sh");
    await backend.writeFile(id, `/workspace/host-tmp/${marker}`, Buffer.from("inside"), 100);
    await backend.writeFile(id, `/workspace/up/tmp/${marker}-2`, Buffer.from("inside"), 100);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}-2`)).toBe(false);
    expect((await backend.readFile(id, `/tmp/${marker}`, 100)).toString()).toBe("inside");
    await expect(backend.readFile(id, "/workspace/sh", 1024)).rejects.toMatchObject({ code: "not_found" });
    await expect(backend.readFile(id, "/workspace/up/etc/shadow", 1024)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("process and network walls", () => {
  it("sees no host process, and `kill -9 -1` inside kills nothing outside (nor the sandbox's init)", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const { id: neighbour } = await sandboxes.start();
    const hostChild = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const ps = await sh(backend, id, "for p in /proc/[0-9]*; do echo \"${p#/proc/} $(tr '\\0' ' ' < $p/cmdline)\"; done");
      expect(ps.stdout).toMatch(/^1 \/dev\/\.burrow\/agent $/m); // its own init (the exec agent) is PID 1
      expect(ps.stdout).not.toMatch(/vitest|sleep 30/);
      expect(ps.stdout.trim().split("\n").length).toBeLessThan(8);
      const r = await sh(backend, id, "kill -9 -1; echo sent");
      expect(r.stdout).toBe("sent\n");
      // A negative check: time for a signal that escaped to land; nothing outside may have died.
      await sleep(200);
      expect(hostChild.exitCode).toBeNull();
      expect(hostChild.signalCode).toBeNull();
      expect(() => process.kill(hostChild.pid!, 0)).not.toThrow();
      expect((await sh(backend, neighbour, "echo alive")).stdout).toBe("alive\n");
      expect((await sh(backend, id, "echo init-alive")).stdout).toBe("init-alive\n");
    } finally {
      hostChild.kill("SIGKILL");
    }
  });

  it("has loopback only: outside addresses fail at once, 127.0.0.1 works", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const node = await backend.exec(id, {
      command: ["node", "-e", "const s=require('net').connect(80,'1.1.1.1');s.on('connect',()=>console.log('connected'));s.on('error',e=>console.log(e.code))"],
      timeoutMs: 10_000,
    });
    expect(node.stdout).toBe("ENETUNREACH\n");
    const py = await backend.exec(id, {
      command: ["python3", "-c", "import socket\ntry:\n  socket.create_connection(('1.1.1.1', 80), timeout=5)\nexcept OSError as e: print(e.errno)"],
      timeoutMs: 10_000,
    });
    expect(py.stdout).toBe("101\n"); // ENETUNREACH
    const local = await backend.exec(id, {
      command: ["python3", "-c", "import socket\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\nc=socket.create_connection(s.getsockname()); print('loopback ok')"],
      timeoutMs: 10_000,
    });
    expect(local.stdout).toBe("loopback ok\n");
  });

  it("cannot create user namespaces (seccomp) or see the host's other files", async () => {
    const { backend, stateDir } = sandboxes;
    const { id } = await sandboxes.start();
    const r = await sh(backend, id, `unshare -U true; echo "rc=$?"; ls ${stateDir} 2>&1; ls /work /home/* 2>&1 | head -3; echo end`);
    expect(r.stdout).toMatch(/^rc=1\n/);
    expect(r.stdout).not.toContain(id);
    expect(r.stdout).toMatch(/No such file or directory/);
    expect(mountsUnder(backend.paths(id).root).length).toBe(1); // only the root overlay, on the host
  });

  it("has only its own mounts: no host directory, /usr and /sys read-only, /workspace its own", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const { id: neighbour } = await sandboxes.start();
    // The sandbox's own table, read inside it (this process's /proc/self would be the host's).
    const r = await sh(backend, id, "cat /proc/self/mountinfo");
    expect(r.exitCode).toBe(0);
    const own = { workspace: backend.paths(id).workspace };
    expect(sandboxMountViolations(r.stdout, own)).toEqual([]);
    // The same check on the host's table, or on the neighbour's with this sandbox's workspace, fails:
    // it tells an isolated table from one that is not.
    expect(sandboxMountViolations(readFileSync("/proc/self/mountinfo", "utf8"), own).length).toBeGreaterThan(0);
    const theirs = await sh(backend, neighbour, "cat /proc/self/mountinfo");
    expect(sandboxMountViolations(theirs.stdout, own)).toEqual([`/workspace is a bind of ${backend.paths(neighbour).workspace}, not ${own.workspace}`]);
  });

  it("cannot ptrace its own init (or read another process's memory): seccomp answers EPERM", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const probe = [
      "import ctypes, os",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]",
      "for name, req in (('attach', 16), ('seize', 0x4206)):",
      "  ctypes.set_errno(0); r = libc.ptrace(req, 1, None, None); print(name, r, ctypes.get_errno())",
      "class Iov(ctypes.Structure): _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]",
      "src = ctypes.create_string_buffer(b'secret!'); dst = ctypes.create_string_buffer(8)",
      "l = Iov(ctypes.cast(dst, ctypes.c_void_p), 8); r = Iov(ctypes.cast(src, ctypes.c_void_p), 8)",
      "ctypes.set_errno(0); n = libc.process_vm_readv(os.getpid(), ctypes.byref(l), 1, ctypes.byref(r), 1, 0)",
      "print('vm_readv', n, ctypes.get_errno())",
    ].join("\n");
    const r = await backend.exec(id, { command: ["python3", "-c", probe], timeoutMs: 10_000 });
    expect(r.stdout).toBe("attach -1 1\nseize -1 1\nvm_readv -1 1\n");
    expect(await backend.initHealth(id)).toBe("ok");
  });

  it("reports a stopped init (SIGSTOP from the host) as stopped, and healthy again once continued", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    expect(await backend.initHealth(id)).toBe("ok");
    const pid = Number(readFileSync(path.join(backend.paths(id).root, "init.pid"), "utf8"));
    process.kill(pid, "SIGSTOP");
    try {
      await waitFor(async () => (await backend.initHealth(id)) === "stopped", { what: "the init to show as stopped" });
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await waitFor(async () => (await backend.initHealth(id)) === "ok", { what: "the init to be healthy again" });
  });
});
