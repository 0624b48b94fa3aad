// One process inside a running sandbox: output streamed and capped, stdin fed, the whole process
// tree killed at the timeout or when the caller aborts (ExecRequest.signal). One `runc exec`, no polling.
//
// Why a status pipe: `runc exec` copies the output through its own pipes and exits only when every
// holder has closed them, so `sh -c "server &"` would hang until the timeout. A two-line shell
// wrapper inside reports the command's exit status on fd 3 (closed for the command and what it
// starts), so the result is ready when the command exits, whatever it left running. runc stays
// attached (not --detach) because it reaps the process: detached, the exec'd process would be
// reparented to the host's PID 1 and linger as a zombie wherever that init reaps lazily.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { DEFAULT_CWD } from "./build-oci-config";
import { killProcessTree } from "./kill-process-tree";
import { exitCodeOf, missingBinaryMessage, runtimeFailure, runtimeMessage } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import { DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_BYTES, EXEC_TIMEOUT_EXIT_CODE, type ExecRequest, type OutputListener } from "./types";

export type RawExecResult = { exitCode: number; stdout: Buffer; stderr: Buffer; durationMs: number; timedOut: boolean; truncated: boolean; cancelled: boolean };
export type ExecTarget = { runtime: string; containerId: string; execDir: string };

/** `$?` of the command goes to fd 3; `3>&-` keeps the command and its children off that pipe. */
const WRAPPER = '"$@" 3>&-; echo $? >&3';
/** Reported when the wrapper itself was killed (e.g. by the OOM killer) before it could say. */
const KILLED_EXIT_CODE = 137;
/** After the command exits, output still in flight (or written by what it left behind) is collected this long. */
const DRAIN_AFTER_EXIT_MS = 100;
const MAX_DRAIN_AFTER_EXIT_MS = 5_000;
/** After a timeout kill, the status gets this long to arrive (longer only if the sandbox is frozen). */
const EXIT_AFTER_KILL_MS = 2_000;
const RUNC_ERROR_LINE = /^time="[^"]*" level=(error|fatal) msg="/;

export function execInSandbox(target: ExecTarget, req: ExecRequest, onOutput?: OutputListener): Promise<RawExecResult> {
  const started = performance.now();
  const pidFile = path.join(target.execDir, `${Date.now()}-${randomBytes(4).toString("hex")}.pid`);
  const args = ["exec", "--preserve-fds", "1", "--pid-file", pidFile, "--cwd", req.cwd ?? DEFAULT_CWD];
  for (const [k, v] of Object.entries(req.env ?? {})) args.push("--env", `${k}=${v}`);
  args.push(target.containerId, "/bin/sh", "-c", WRAPPER, "sh", ...req.command);
  const maxBytes = req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const hasStdin = req.stdin !== undefined;

  return new Promise<RawExecResult>((resolve, reject) => {
    // Its own process group, so a timeout can also stop a `runc exec` that is still setting up.
    const child = spawn(target.runtime, args, { stdio: [hasStdin ? "pipe" : "ignore", "pipe", "pipe", "pipe"], detached: true });
    const stdoutStream = child.stdout!;
    const stderrStream = child.stderr!;
    const statusStream = child.stdio[3] as Readable;
    const streams = { stdout: { chunks: [] as Buffer[], size: 0 }, stderr: { chunks: [] as Buffer[], size: 0 } };
    let truncated = false;
    let timedOut = false;
    let cancelled = false;
    let killing = false;
    let status = "";
    let statusClosed = false; // the wrapper reported, or can no longer
    let runtimeExit: number | null = null;
    let outputOpen = 2;
    let settled = false;
    let draining = false;
    const timers: NodeJS.Timeout[] = [];

    let heldBack = 0; // output streams paused by the listener
    let lastOutputAt = 0;
    // The result keeps maxBytes per stream (reading goes on, so the process never blocks on a full
    // pipe); the listener sees every byte, and may hold a stream back by returning a promise.
    const capture = (name: "stdout" | "stderr", stream: Readable) => (chunk: Buffer) => {
      lastOutputAt = performance.now();
      const s = streams[name];
      const room = maxBytes - s.size;
      if (chunk.length > room) truncated = true;
      if (room > 0) {
        const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
        s.chunks.push(kept);
        s.size += kept.length;
      }
      if (!onOutput) return;
      let hold: unknown;
      try {
        hold = onOutput(name, chunk);
      } catch {
        /* a listener's failure is not the process's */
      }
      if (!(hold instanceof Promise)) return;
      stream.pause();
      heldBack++;
      void hold.catch(() => {}).then(() => {
        heldBack--;
        if (!settled) stream.resume();
      });
    };
    stdoutStream.on("data", capture("stdout", stdoutStream));
    stderrStream.on("data", capture("stderr", stderrStream));
    for (const s of [stdoutStream, stderrStream]) s.on("close", () => { outputOpen--; maybeFinish(); });
    // The status line is the signal, not the pipe's end: runc holds its own copy of fd 3 open
    // for as long as it copies output from a background child.
    statusStream.on("data", (chunk: Buffer) => {
      status += chunk.toString("utf8");
      if (status.endsWith("\n")) statusDone();
    });
    statusStream.on("close", statusDone);
    if (hasStdin) {
      child.stdin!.on("error", () => {}); // EPIPE when the process does not read all of it
      child.stdin!.end(typeof req.stdin === "string" ? Buffer.from(req.stdin) : req.stdin);
    }

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      req.signal?.removeEventListener("abort", onAbort);
      for (const s of [stdoutStream, stderrStream, statusStream]) s.destroy();
      child.unref(); // runc may outlive the result while a background child still holds the output
      void fs.rm(pidFile, { force: true });
      outcome();
    };

    const finish = () =>
      settle(() => {
        const stdout = Buffer.concat(streams.stdout.chunks);
        const stderr = Buffer.concat(streams.stderr.chunks);
        const durationMs = Math.round(performance.now() - started);
        const reported = /^\d+\s*$/.test(status) ? Number(status) : null;
        if (reported === null && !timedOut && runtimeExit !== null && runtimeExit !== 0) {
          const failure = startFailure(stderr.toString("utf8"));
          if (failure instanceof SandboxError) return reject(failure);
          if (failure) return resolve({ ...failure, stdout, durationMs, timedOut, truncated, cancelled });
        }
        const exitCode = timedOut ? EXEC_TIMEOUT_EXIT_CODE : (reported ?? runtimeExit ?? KILLED_EXIT_CODE);
        resolve({ exitCode, stdout, stderr, durationMs, timedOut, truncated, cancelled });
      });

    // Done when the wrapper reported (or, with no report, when runc has exited: the process never
    // started or was killed); then the output gets a short grace to arrive, and no more.
    function statusDone() {
      statusClosed = true;
      maybeFinish();
    }

    function maybeFinish() {
      if (settled || !statusClosed) return;
      if (status === "" && runtimeExit === null) return;
      if (outputOpen === 0) return finish();
      if (!draining) {
        draining = true;
        // Output held back by the listener, or still flowing, is in the pipe: read it. A stream
        // that stays open (a background child holds it) ends the exec once it has been quiet for
        // the grace, or after MAX_DRAIN_AFTER_EXIT_MS of chatter, whichever comes first.
        const exitedAt = performance.now();
        const drained = () => {
          const now = performance.now();
          const flowing = now - lastOutputAt < DRAIN_AFTER_EXIT_MS && now - exitedAt < MAX_DRAIN_AFTER_EXIT_MS;
          if (heldBack > 0 || flowing) timers.push(setTimeout(drained, DRAIN_AFTER_EXIT_MS));
          else finish();
        };
        timers.push(setTimeout(drained, DRAIN_AFTER_EXIT_MS));
      }
    }

    child.on("error", (e: NodeJS.ErrnoException) =>
      settle(() =>
        reject(e.code === "ENOENT" ? new SandboxError("runtime_missing", missingBinaryMessage(target.runtime), { cause: e }) : new SandboxError("failed", `exec: ${e.message}`, { cause: e })),
      ),
    );
    child.on("exit", (code, signal) => {
      runtimeExit = exitCodeOf(code, signal);
      maybeFinish();
    });

    // At the timeout, or when the caller aborts: the whole tree, then the result.
    function killTree() {
      if (killing || settled) return;
      killing = true;
      void (async () => {
        const pid = Number((await fs.readFile(pidFile, "utf8").catch(() => "")).trim());
        if (settled) return; // it ended meanwhile; its pid may already belong to someone else
        if (pid > 1) await killProcessTree(pid);
        else killGroup(child.pid); // not started yet: stop runc itself
        if (!settled) timers.push(setTimeout(() => { killGroup(child.pid); finish(); }, EXIT_AFTER_KILL_MS));
      })();
    }
    function onAbort() {
      if (!killing && !settled) cancelled = true;
      killTree();
    }
    timers.push(
      setTimeout(() => {
        if (!killing && !settled) timedOut = true;
        killTree();
      }, req.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS),
    );
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function killGroup(pid: number | undefined) {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* gone */
  }
}

/**
 * runc could not start the process (its own error is the last line of stderr). A sandbox that is
 * gone or frozen is an error for the caller; a process that cannot start in it (bad cwd, no shell)
 * is reported like a shell would: 126 or 127. Null when stderr holds no runc error.
 */
function startFailure(stderr: string): SandboxError | { exitCode: number; stderr: Buffer } | null {
  const text = stderr.trimEnd();
  if (!RUNC_ERROR_LINE.test(text.slice(text.lastIndexOf("\n") + 1))) return null;
  const message = runtimeMessage(text);
  if (!/unable to start container process/.test(message)) return runtimeFailure("exec", text);
  const notFound = /not found|no such file or directory/i.test(message) && !/chdir/.test(message);
  return { exitCode: notFound ? 127 : 126, stderr: Buffer.from(`${message.replace(/^exec failed: /, "")}\n`) };
}
