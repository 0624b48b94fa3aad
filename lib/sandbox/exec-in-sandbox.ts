// One process inside a running sandbox: output streamed and capped, stdin fed, the whole process
// tree killed at the timeout or when the caller aborts (ExecRequest.signal). Through the sandbox's
// agent when it has one (exec-via-agent.ts: no new runtime process), else one `runc exec`, no polling.
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
import { execViaAgent } from "./exec-via-agent";
import { armExecLimits, EXIT_AFTER_KILL_MS, ExecOutput, KILLED_EXIT_CODE, type RawExecResult } from "./exec-output";
import { killProcessTree } from "./kill-process-tree";
import { exitCodeOf, missingBinaryMessage, runtimeFailure, runtimeMessage } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import { DEFAULT_MAX_OUTPUT_BYTES, EXEC_TIMEOUT_EXIT_CODE, type ExecRequest, type OutputListener } from "./types";

export type { RawExecResult } from "./exec-output";
/** agentSocket: the sandbox's exec agent (exec-via-agent.ts), used when it answers; null: `runc exec` only. */
export type ExecTarget = { runtime: string; containerId: string; execDir: string; agentSocket?: string | null };

/** `$?` of the command goes to fd 3; `3>&-` keeps the command and its children off that pipe. */
const WRAPPER = '"$@" 3>&-; echo $? >&3';
const RUNC_ERROR_LINE = /^time="[^"]*" level=(error|fatal) msg="/;

export async function execInSandbox(target: ExecTarget, req: ExecRequest, onOutput?: OutputListener): Promise<RawExecResult> {
  const started = performance.now();
  if (target.agentSocket) {
    // A sandbox started before the agent (or with SANDBOX_EXEC_AGENT=off), a paused or a stopped
    // one has no agent answering: `runc exec` then runs the command or gives the error it always gave.
    const viaAgent = await execViaAgent({ socket: target.agentSocket, containerId: target.containerId }, req, onOutput, started);
    if (viaAgent) return viaAgent;
  }
  return execViaRunc(target, req, onOutput, started);
}

function execViaRunc(target: ExecTarget, req: ExecRequest, onOutput: OutputListener | undefined, started: number): Promise<RawExecResult> {
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
    const output = new ExecOutput(maxBytes, onOutput, () => maybeFinish());
    output.attach("stdout", stdoutStream);
    output.attach("stderr", stderrStream);
    let timedOut = false;
    let cancelled = false;
    let killing = false;
    let status = "";
    let statusClosed = false; // the wrapper reported, or can no longer
    let runtimeExit: number | null = null;
    let settled = false;
    let disarmLimits = () => {};
    const timers: NodeJS.Timeout[] = [];

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
      output.stop();
      for (const t of timers) clearTimeout(t);
      disarmLimits();
      for (const s of [stdoutStream, stderrStream, statusStream]) s.destroy();
      child.unref(); // runc may outlive the result while a background child still holds the output
      void fs.rm(pidFile, { force: true });
      outcome();
    };

    const finish = () =>
      settle(() => {
        const stdout = output.stdout();
        const stderr = output.stderr();
        const truncated = output.truncated;
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
      output.drainThen(timers, finish);
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
    disarmLimits = armExecLimits(req, timers, () => killing || settled, (limit) => (limit === "timeout" ? (timedOut = true) : (cancelled = true)), killTree);
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
