// User namespaces with real runc: root in the sandbox is uid 0 inside and an unprivileged host uid
// (the range's base) outside; owners keep their inside ids across destroy({ keepFiles }) + create.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseUserNamespaces } from "../../lib/sandbox";
import { createLocalDirStore, readManifest, restoreSnapshot, writeSnapshot } from "../../lib/snapshots/store";
import { sh, useSandboxes } from "./sandbox-harness";

const BASE = 300_000;
const OTHER_BASE = 400_000;
const sandboxes = useSandboxes({ idMap: { hostBase: BASE, size: 65_536 } });
/** Where a fork or wake may land: another runner with another range, or one without user namespaces. */
const otherRange = useSandboxes({ idMap: { hostBase: OTHER_BASE, size: 65_536 } });
const noUserns = useSandboxes();
const storeDir = mkdtempSync(path.join(os.tmpdir(), "burrow-userns-store-"));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

/** The Uid: line of /proc/<pid>/status: real, effective, saved and filesystem uid as the host sees them. */
const hostUidsOf = (pid: number) => readFileSync(`/proc/${pid}/status`, "utf8").match(/^Uid:\s+(.*)$/m)![1].split(/\s+/).map(Number);

describe("sandbox in a user namespace", () => {
  it("is root inside, an unprivileged uid on the host, and files created inside belong to the range", async () => {
    const { id, info } = await sandboxes.start();
    const b = sandboxes.backend;
    const who = await sh(b, id, "id -u; id -g; touch /workspace/by-root /tmp/t; mkdir -p /workspace/u; touch /workspace/u/f; chown -R 1000:1000 /workspace/u; stat -c '%u:%g' /workspace /workspace/by-root /workspace/u/f /");
    expect(who.stderr).toBe("");
    expect(who.stdout.trim().split("\n")).toEqual(["0", "0", "0:0", "0:0", "1000:1000", "0:0"]);
    expect(info.pid).toBeGreaterThan(0);
    expect(hostUidsOf(info.pid)).toEqual([BASE, BASE, BASE, BASE]);

    const ws = info.paths.workspace;
    expect(statSync(path.join(ws, "by-root"))).toMatchObject({ uid: BASE, gid: BASE });
    expect(statSync(path.join(ws, "u/f"))).toMatchObject({ uid: BASE + 1000, gid: BASE + 1000 });
    expect(statSync(path.join(info.paths.upper, "rootfs/tmp/t"))).toMatchObject({ uid: BASE, gid: BASE });
    expect(info.paths.idMap).toEqual({ hostBase: BASE, size: 65_536 });

    // /dev/shm, /tmp and the cgroup limits (cgroup v1 or v2) work as without a namespace.
    expect((await sh(b, id, "echo s > /dev/shm/s && cat /dev/shm/s && echo t > /tmp/t2 && cat /tmp/t2")).stdout).toBe("s\nt\n");
    expect((await b.stats(id)).pids).toBeGreaterThan(0);

    // Upload through the backend lands as root inside (host: the base uid).
    await b.writeFile(id, "/workspace/up/loaded.txt", Buffer.from("hi"), 1024);
    expect(statSync(path.join(ws, "up/loaded.txt"))).toMatchObject({ uid: BASE, gid: BASE });

    // Host files stay out of reach: the host's /usr is nobody's inside and read-only, /etc's secrets hidden.
    const host = await sh(b, id, "stat -c '%u' /usr/bin/env; touch /usr/x 2>&1; echo rc=$?; cat /etc/shadow 2>&1 | head -c 0; echo shadow=$?; ls /etc/shadow 2>&1 | head -1");
    expect(host.stdout).toMatch(/^65534\n/);
    expect(host.stdout).toMatch(/rc=1/);
    expect(host.stdout).toMatch(/No such file/);
  });

  it("keeps owners 0 and 1000 across destroy({ keepFiles }) and create", async () => {
    const { id, spec } = await sandboxes.start();
    const b = sandboxes.backend;
    await sh(b, id, "echo a > /workspace/a; echo b > /workspace/b; chown 1000:1000 /workspace/b; echo e > /etc/burrow-test; echo r > /root/r");
    await b.destroy(id, { keepFiles: true });
    await b.create(spec);
    const after = await sh(b, id, "stat -c '%n %u:%g' /workspace/a /workspace/b /etc/burrow-test /root/r; cat /workspace/b");
    expect(after.stdout.trim().split("\n")).toEqual(["/workspace/a 0:0", "/workspace/b 1000:1000", "/etc/burrow-test 0:0", "/root/r 0:0", "b"]);
  });

  it("runs a terminal (pty inside the namespace)", async () => {
    const { id } = await sandboxes.start();
    const b = sandboxes.backend;
    let out = "";
    let exited: (v: number | null) => void = () => {};
    const done = new Promise<number | null>((r) => (exited = r));
    const term = await b.openTerminal!(id, { cols: 80, rows: 24, command: ["sh", "-c", "id -u; tty"] }, { onOutput: (c) => (out += c.toString()), onExit: (r) => exited(r.exitCode) });
    expect(await done).toBe(0);
    await term.close();
    expect(out).toMatch(/^0\r?\n\/dev\/pts\/\d+/);
  });

  it("stores owners as ids inside and restores them into another range, or onto a runner without one", async () => {
    const { id, info } = await sandboxes.start();
    const b = sandboxes.backend;
    const made = await sh(b, id, "echo a > /workspace/a; echo b > /workspace/b; chown 1000:1000 /workspace/b; mkdir /home/dev; chown 1000:1000 /home/dev; echo e > /etc/by-root");
    expect(made.stderr).toBe("");
    await b.pause(id);
    const store = createLocalDirStore(storeDir);
    const paths = b.paths(id);
    const written = await writeSnapshot({ store, trees: { upper: paths.upper, workspace: paths.workspace }, idMap: paths.idMap });
    await b.resume(id);
    const manifest = await readManifest(store, written.manifestHash);
    const owner = (tree: string, p: string) => manifest.trees[tree].find((e) => e.path === p);
    expect(owner("workspace", "b")).toMatchObject({ uid: 1000, gid: 1000 });
    expect(owner("workspace", "a")).toMatchObject({ uid: 0, gid: 0 });
    expect(owner("upper", "rootfs/home/dev")).toMatchObject({ uid: 1000, gid: 1000 });
    expect(info.paths.idMap?.hostBase).toBe(BASE);

    for (const [target, base] of [[otherRange, OTHER_BASE], [noUserns, 0]] as const) {
      const forkId = `${id}_F${base}`;
      const to = target.backend.paths(forkId);
      await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { upper: to.upper, workspace: to.workspace }, idMap: to.idMap });
      expect(statSync(path.join(to.workspace, "b"))).toMatchObject({ uid: base + 1000, gid: base + 1000 });
      expect(statSync(path.join(to.workspace, "a"))).toMatchObject({ uid: base, gid: base });
      const fork = await target.start({ id: forkId });
      const seen = await sh(target.backend, fork.id, "stat -c '%n %u:%g' /workspace/a /workspace/b /home/dev /etc/by-root; id -u");
      expect(seen.stdout.trim().split("\n")).toEqual(["/workspace/a 0:0", "/workspace/b 1000:1000", "/home/dev 1000:1000", "/etc/by-root 0:0", "0"]);
    }
  });
});

describe("an imported image (dir rootfs) in a user namespace", () => {
  it("is owned by root inside, so root can change /etc; the image itself stays untouched", async () => {
    const image = path.join(storeDir, "image");
    for (const d of ["bin", "etc", "tmp", "proc", "dev", "sys", "workspace"]) mkdirSync(path.join(image, d), { recursive: true });
    copyFileSync("/bin/busybox", path.join(image, "bin/busybox"));
    chmodSync(path.join(image, "bin/busybox"), 0o755);
    for (const tool of ["sh", "stat", "touch", "cat"]) symlinkSync("busybox", path.join(image, "bin", tool));
    writeFileSync(path.join(image, "etc/hostname"), "image\n");
    const { id } = await sandboxes.start({ rootfs: { kind: "dir", path: image }, env: { PATH: "/bin" } });
    const r = await sandboxes.backend.exec(id, { command: ["/bin/sh", "-c", "stat -c '%u %n' /etc /etc/hostname; echo changed > /etc/hostname && touch /etc/new && cat /etc/hostname"] });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["0 /etc", "0 /etc/hostname", "changed"]);
    expect(statSync(path.join(image, "etc/hostname"))).toMatchObject({ uid: 0 });
    expect(readFileSync(path.join(image, "etc/hostname"), "utf8")).toBe("image\n");
  });
});

describe("the runner's start probe (SANDBOX_USERNS)", () => {
  const choose = (mode: "auto" | "on" | "off", runtime = "runc") =>
    chooseUserNamespaces({ mode, runtime, stateDir: path.join(noUserns.stateDir, "probe-state"), uidBase: 500_000, size: 65_536 });

  it("turns them on when a real probe sandbox maps root, and leaves nothing behind", async () => {
    const auto = await choose("auto");
    expect(auto).toMatchObject({ idMap: { hostBase: 500_000, size: 65_536 }, refuse: false });
    expect(auto.logLine).toMatch(/^user namespaces on: root in a sandbox is host uid\/gid 500000/);
    expect(existsSync(path.join(noUserns.stateDir, "probe-state", ".userns-probe"))).toBe(false);
  });

  it("says so when they cannot work: auto runs without them, on refuses, off never probes", async () => {
    const auto = await choose("auto", "/nonexistent/runc");
    expect(auto).toMatchObject({ idMap: null, refuse: false });
    expect(auto.logLine).toMatch(/^user namespaces unavailable, sandboxes run without them: root in a sandbox is root on the host .*Cause: .*runc/);
    expect(await choose("on", "/nonexistent/runc")).toMatchObject({ idMap: null, refuse: true });
    expect(await choose("off")).toMatchObject({ idMap: null, refuse: false, logLine: expect.stringMatching(/SANDBOX_USERNS=off/) });
  });
});
