// The runc backend against real runc: tools of the base template, exec semantics, files that
// survive a destroy keeping files, pause/resume, list, stats and a clean destroy.
import { existsSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXEC_TIMEOUT_EXIT_CODE, SandboxError } from "../../lib/sandbox";
import { waitFor } from "../wait-for";
import { mountsUnder, runtimeContainers, sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the base template", () => {
  it("runs sh, python3 and node, as root in /workspace, with the sandbox's env and hostname", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ env: { GREETING: "hello" }, hostname: "agent-box" });
    const shell = await sh(backend, id, 'echo "$GREETING from $(pwd) as $(id -u) on $(hostname)"');
    expect(shell).toMatchObject({ exitCode: 0, stdout: "hello from /workspace as 0 on agent-box\n", timedOut: false, truncated: false });
    const py = await backend.exec(id, { command: ["python3", "-c", "import sys; print(sys.version_info[0], 6*7)"], timeoutMs: 20_000 });
    expect(py).toMatchObject({ exitCode: 0, stdout: "3 42\n" });
    const node = await backend.exec(id, { command: ["node", "-e", "console.log(typeof fetch, 6*7)"], timeoutMs: 20_000 });
    expect(node).toMatchObject({ exitCode: 0, stdout: "function 42\n" });
  });

  it("answers create again with the running sandbox (idempotent)", async () => {
    const { backend } = sandboxes;
    const { id, info, spec } = await sandboxes.start();
    expect(info).toMatchObject({ id, containerId: `burrow-${id}`, status: "running" });
    expect(info.pid).toBeGreaterThan(1);
    const again = await Promise.all([backend.create(spec), backend.create(spec)]);
    expect(again.map((a) => a.pid)).toEqual([info.pid, info.pid]);
  });

  it("refuses to mount a workspace or upper layer that was replaced by a symlink", async () => {
    const { backend } = sandboxes;
    const { id, spec } = await sandboxes.start();
    await backend.destroy(id, { keepFiles: true });
    const { workspace } = backend.paths(id);
    rmSync(workspace, { recursive: true });
    symlinkSync("/etc", workspace);
    await expect(backend.create(spec)).rejects.toMatchObject({ code: "failed" });
    expect(mountsUnder(backend.paths(id).root)).toEqual([]);
  });
});

describe("exec", () => {
  it("honours cwd, env (over the sandbox's), stdin and the exit code", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ env: { A: "sandbox", B: "kept" } });
    const r = await backend.exec(id, { command: ["sh", "-c", 'cat; echo "$A $B $(pwd)"; exit 3'], cwd: "/tmp", env: { A: "exec" }, stdin: "from stdin\n", timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 3, stdout: "from stdin\nexec kept /tmp\n", stderr: "", timedOut: false });
    const bin = await backend.exec(id, { command: ["wc", "-c"], stdin: Buffer.alloc(100_000, 1), timeoutMs: 10_000 });
    expect(bin.stdout.trim()).toBe("100000");
  });

  it("reports a command that cannot start like a shell (127, 126) and streams output to the listener", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    expect(await backend.exec(id, { command: ["no-such-command"] })).toMatchObject({ exitCode: 127, stderr: expect.stringContaining("not found") });
    expect(await backend.exec(id, { command: ["ls"], cwd: "/no/such/dir" })).toMatchObject({ exitCode: 126 });
    const seen: string[] = [];
    const r = await backend.exec(id, { command: ["sh", "-c", "echo out; echo err >&2"] }, (stream, chunk) => seen.push(`${stream}:${chunk.toString()}`));
    expect(r).toMatchObject({ stdout: "out\n", stderr: "err\n" });
    expect(seen.sort()).toEqual(["stderr:err\n", "stdout:out\n"]);
  });

  it("returns when the command exits, even if it left a background process holding the output", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    // The background sleep outlives the timeout: an exec that waited for it would report timedOut.
    // (How fast it returns is measured in test/sandbox/measure-sandbox-timings.ts, not asserted.)
    const r = await backend.exec(id, { command: ["sh", "-c", "sleep 30 & echo started"], timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: "started\n", timedOut: false });
    for (let i = 0; i < 5; i++) await backend.exec(id, { command: ["true"] });
    // Every exec'd process was reaped (none left as a zombie of a runtime that went away).
    const states = await sh(backend, id, "cat /proc/[0-9]*/stat 2>/dev/null | cut -d' ' -f3 | sort | uniq -c");
    expect(states.stdout).not.toMatch(/ Z$/m);
  });

  it("caps each stream at maxOutputBytes and says so", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const r = await backend.exec(id, { command: ["sh", "-c", "head -c 50000 /dev/zero | tr '\\0' a; echo done >&2"], maxOutputBytes: 1000, timeoutMs: 10_000 });
    expect(r.stdout).toBe("a".repeat(1000));
    expect(r.stderr).toBe("done\n");
    expect(r).toMatchObject({ exitCode: 0, truncated: true });
  });

  it("kills an exec that never ends at timeoutMs, with its children, and reports timedOut", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const r = await backend.exec(id, { command: ["sh", "-c", "sleep 1000 & setsid sleep 1002 & sleep 1001; echo never"], timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: EXEC_TIMEOUT_EXIT_CODE, stdout: "" });
    expect(r.durationMs).toBeGreaterThanOrEqual(450); // not before its time (how soon after: the timings script)
    const ps = await sh(backend, id, "cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
    expect(ps.stdout).toContain("/dev/.burrow/agent"); // the init, untouched
    expect(ps.stdout).not.toMatch(/sleep 100[012]/);
  });

  it("fails with not_found for a sandbox that does not exist", async () => {
    const err = await sandboxes.backend.exec("ses_NOPE", { command: ["true"] }).catch((e) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect(err.code).toBe("not_found");
  });
});

describe("files", () => {
  it("writes and reads files in the sandbox, binary-safe, with parents created and sizes enforced", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const data = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    await backend.writeFile(id, "/root/deep/dir/blob.bin", data, 1024);
    expect(Buffer.compare(await backend.readFile(id, "/root/deep/dir/blob.bin", 1024), data)).toBe(0);
    expect(await backend.readFile(id, "/root/deep/dir/blob.bin", 8)).toHaveLength(8);
    await expect(backend.readFile(id, "/root/deep/dir/blob.bin", 7)).rejects.toMatchObject({ code: "too_large" });
    await expect(backend.writeFile(id, "/root/big", Buffer.alloc(11), 10)).rejects.toMatchObject({ code: "too_large" });
    await expect(backend.readFile(id, "/root/missing", 10)).rejects.toMatchObject({ code: "not_found" });
    await expect(backend.readFile(id, "/root", 10)).rejects.toMatchObject({ code: "invalid_path" });
    await expect(backend.readFile(id, "/dev/zero", 10)).rejects.toMatchObject({ code: "invalid_path" });
  });
});

describe("persistence", () => {
  it("keeps / (upper layer, /etc included) and /workspace across destroy({ keepFiles }) and create", async () => {
    const { backend } = sandboxes;
    const { id, spec } = await sandboxes.start();
    const hadIssue = existsSync("/etc/issue");
    const setup = await sh(backend, id, [
      "echo ws > /workspace/w.txt",
      "echo home > /root/x",
      "mkdir -p /opt/tool && echo t > /opt/tool/t",
      "echo mine > /etc/burrow-test.conf",
      hadIssue ? "rm /etc/issue" : "true",
    ].join(" && "));
    expect(setup.exitCode).toBe(0);

    await backend.destroy(id, { keepFiles: true });
    const paths = backend.paths(id);
    expect(readdirSync(paths.root).sort()).toEqual(["disk"]);
    expect(readFileSync(path.join(paths.workspace, "w.txt"), "utf8")).toBe("ws\n");
    expect(readFileSync(path.join(paths.upper, "rootfs/root/x"), "utf8")).toBe("home\n");
    expect(readFileSync(path.join(paths.upper, "etc/burrow-test.conf"), "utf8")).toBe("mine\n");
    expect(runtimeContainers().some((c) => c.id === `burrow-${id}`)).toBe(false);

    await backend.create(spec);
    const check = await sh(backend, id, "cat /workspace/w.txt /root/x /opt/tool/t /etc/burrow-test.conf; test -e /etc/issue && echo issue-back || echo issue-gone");
    // A deleted host file stays deleted: its whiteout lives in upper/etc.
    expect(check.stdout).toBe("ws\nhome\nt\nmine\nissue-gone\n");
    expect(existsSync("/etc/burrow-test.conf")).toBe(false); // the host's /etc never changed
    if (hadIssue) expect(existsSync("/etc/issue")).toBe(true);
  });
});

describe("pause and resume", () => {
  it("freezes the sandbox (exec fails fast with not_running) and resume continues where it stopped", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    const tick = path.join(backend.paths(id).upper, "rootfs/tmp/tick");
    // A background counter, bounded to 60 s, writing into /tmp (the upper layer on the host).
    // Written with a rename, so the host never reads a half-written file.
    await sh(backend, id, "nohup sh -c 'i=0; while [ $i -lt 600 ]; do i=$((i+1)); echo $i > /tmp/t.new; mv /tmp/t.new /tmp/tick; sleep 0.1; done' >/dev/null 2>&1 &");
    const readTick = () => (existsSync(tick) ? Number(readFileSync(tick, "utf8")) : 0);
    await waitFor(() => readTick() >= 2, { what: "the counter to tick" });
    await backend.pause(id);
    await backend.pause(id); // idempotent
    expect((await backend.list()).find((s) => s.id === id)?.status).toBe("paused");
    const frozenAt = readFileSync(tick, "utf8");
    expect(Number(frozenAt)).toBeGreaterThan(0);
    // A negative check: four ticks' worth of time in which a running counter would have moved.
    await sleep(400);
    expect(readFileSync(tick, "utf8")).toBe(frozenAt);

    // Refused, not queued until resume: with a timeout well inside the test's, a hang would show
    // as timedOut instead of the error. (How fast: test/sandbox/measure-sandbox-timings.ts.)
    const err = await backend.exec(id, { command: ["true"], timeoutMs: 10_000 }).catch((e) => e);
    expect(err).toMatchObject({ code: "not_running" });

    await backend.resume(id);
    await backend.resume(id); // idempotent
    await waitFor(() => readTick() > Number(frozenAt), { what: "the counter to move on after resume" });
    expect((await sh(backend, id, "echo back")).stdout).toBe("back\n");
  });
});

describe("list, stats and destroy", () => {
  it("lists the sandbox, reports its usage and leaves no container, mount or file after destroy", async () => {
    const { backend, stateDir } = sandboxes;
    const { id } = await sandboxes.start();
    expect(await backend.list()).toContainEqual({ id, status: "running" });
    await sh(backend, id, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done");
    const stats = await backend.stats(id);
    expect(stats.cpuSeconds).toBeGreaterThan(0);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThanOrEqual(1);

    const root = backend.paths(id).root;
    expect(mountsUnder(root).length).toBeGreaterThan(0);
    await backend.destroy(id);
    sandboxes.forget(id);
    expect(runtimeContainers().some((c) => c.id === `burrow-${id}`)).toBe(false);
    expect(mountsUnder(stateDir)).toEqual([]);
    expect(existsSync(root)).toBe(false);
    expect(await backend.list()).not.toContainEqual(expect.objectContaining({ id }));
    await backend.destroy(id); // already gone: still fine
    await expect(backend.stats(id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("destroys a paused sandbox", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start();
    await backend.pause(id);
    await backend.destroy(id);
    sandboxes.forget(id);
    expect(runtimeContainers().some((c) => c.id === `burrow-${id}`)).toBe(false);
    expect(mountsUnder(backend.paths(id).root)).toEqual([]);
  });
});
