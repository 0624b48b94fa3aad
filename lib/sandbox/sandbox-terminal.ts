// An interactive shell on a real TTY inside a running sandbox (the web terminal). `runc exec --tty`
// hands the pty master over a unix socket (SCM_RIGHTS), which Node cannot receive without a
// native addon, so pty-helper.py (python3, on every runner host) does that and proxies bytes:
// frames in on its stdin, raw output on its stdout, JSON status lines on fd 3. The shell runs like
// an exec does (the sandbox's user and env, /workspace) and ends, with everything it started,
// when the terminal closes, when the helper's stdin closes, or when the runner dies.
import { spawn } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { DEFAULT_CWD } from "./build-oci-config";
import type { ExecTarget } from "./exec-in-sandbox";
import { killProcessTree } from "./kill-process-tree";
import { missingBinaryMessage, runtimeFailure } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import { validateTerminalRequest } from "./validate-spec";
import type { SandboxTerminal, TerminalHandlers, TerminalRequest } from "./types";

const HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), "pty-helper.py");
/** bash when the image has it (line editing, job control), else the POSIX shell every image has. */
const DEFAULT_SHELL = ["/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -i; fi; exec sh -i"];
const START_TIMEOUT_MS = 35_000;
/** After stdin closes, the helper kills the shell's tree and exits; past this it is killed itself. */
const CLOSE_GRACE_MS = 3_000;
const FRAME_DATA = 0x64; // "d"
const FRAME_RESIZE = 0x72; // "r"

type Status = { event: "started"; pid: number } | { event: "exit"; code: number } | { event: "closed" } | { event: "error"; message: string };

function frame(kind: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export function openSandboxTerminal(target: ExecTarget, req: TerminalRequest, handlers: TerminalHandlers): Promise<SandboxTerminal> {
  const config = {
    runtime: target.runtime,
    containerId: target.containerId,
    cwd: req.cwd ?? DEFAULT_CWD,
    env: { TERM: "xterm-256color", ...req.env },
    cols: req.cols,
    rows: req.rows,
    command: req.command ?? DEFAULT_SHELL,
  };
  // Its own process group, so a wedged helper can be killed with whatever it started.
  const child = spawn("python3", [HELPER, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
  const status = child.stdio[3] as Readable;
  let shellPid = 0;
  let ended = false;
  let stderr = "";
  let statusText = "";
  let exitCode: number | null = null;

  return new Promise<SandboxTerminal>((resolve, reject) => {
    let started = false;
    const exited = new Promise<void>((done) => child.once("close", () => done()));
    const startTimer = setTimeout(() => fail(new SandboxError("failed", "terminal: the shell did not start in time")), START_TIMEOUT_MS);

    const fail = (err: SandboxError) => {
      if (started) return;
      started = true;
      clearTimeout(startTimer);
      killGroup(child.pid);
      reject(err);
    };

    const terminal: SandboxTerminal = {
      get pid() {
        return shellPid;
      },
      write(data) {
        if (!ended && data.length) child.stdin!.write(frame(FRAME_DATA, data));
      },
      resize(cols, rows) {
        validateTerminalRequest({ cols, rows });
        const payload = Buffer.alloc(4);
        payload.writeUInt16BE(cols, 0);
        payload.writeUInt16BE(rows, 2);
        if (!ended) child.stdin!.write(frame(FRAME_RESIZE, payload));
      },
      pauseOutput: () => child.stdout!.pause(),
      resumeOutput: () => child.stdout!.resume(),
      async close() {
        child.stdin!.end();
        const grace = setTimeout(() => {
          if (shellPid > 1) void killProcessTree(shellPid);
          killGroup(child.pid);
        }, CLOSE_GRACE_MS);
        child.stdout!.resume(); // a paused reader must not keep the helper blocked on a full pipe
        await exited;
        clearTimeout(grace);
      },
    };

    child.stdin!.on("error", () => {}); // EPIPE once the helper is gone
    child.stdout!.on("data", (chunk: Buffer) => {
      try {
        handlers.onOutput(chunk);
      } catch {
        /* a listener's failure is not the shell's */
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString("utf8");
    });
    status.on("data", (chunk: Buffer) => {
      statusText += chunk.toString("utf8");
      let nl: number;
      while ((nl = statusText.indexOf("\n")) >= 0) {
        const line = statusText.slice(0, nl);
        statusText = statusText.slice(nl + 1);
        try {
          onStatus(JSON.parse(line) as Status);
        } catch {
          stderr += `unreadable status line: ${line.slice(0, 200)}\n`;
        }
      }
    });

    function onStatus(s: Status) {
      if (s.event === "started") {
        shellPid = s.pid;
        started = true;
        clearTimeout(startTimer);
        resolve(terminal);
      } else if (s.event === "exit") exitCode = s.code;
      else if (s.event === "error") fail(runtimeFailure("terminal", s.message));
    }

    child.on("error", (e: NodeJS.ErrnoException) =>
      fail(e.code === "ENOENT" ? new SandboxError("runtime_missing", missingBinaryMessage("python3"), { cause: e }) : new SandboxError("failed", `terminal: ${e.message}`, { cause: e })),
    );
    child.on("close", (code, signal) => {
      ended = true;
      clearTimeout(startTimer);
      if (!started) return fail(new SandboxError("failed", `terminal helper exited (${signal ?? code}) before the shell started: ${stderr.trim().slice(-500)}`));
      handlers.onExit({ exitCode });
    });
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
