// One exec through the sandbox's agent (agent/burrow-agent.c, PID 1 inside): no runtime process
// is started, the agent forks the command. The protocol is in the agent's header comment: a
// control connection (request; "pid N" and "exit N" back; "k" to kill the tree) and one connection
// per stream, all tagged with one token. The same contract as the `runc exec` path
// (exec-in-sandbox.ts): capped output, stdin, timeout and abort kill the whole tree, and the result
// is ready when the command exits, whatever it left running (the exit line is the signal, not the
// end of the output, which a background child may hold open).
//
// Null when no agent answers (none, stopped, or paused): the caller then uses `runc exec`, which
// runs the command or refuses with the error it always gave (not_running for a paused sandbox).
import { randomBytes } from "node:crypto";
import net from "node:net";
import { DEFAULT_CWD } from "./build-oci-config";
import { armExecLimits, EXIT_AFTER_KILL_MS, ExecOutput, KILLED_EXIT_CODE, type RawExecResult } from "./exec-output";
import { sandboxFrozen } from "./sandbox-frozen";
import { DEFAULT_MAX_OUTPUT_BYTES, EXEC_TIMEOUT_EXIT_CODE, type ExecRequest, type OutputListener } from "./types";

export type AgentTarget = { socket: string; containerId: string };

const EXIT_LINE = /^(pid|exit) (\d+)$/;

const hello = (role: "c" | "i" | "o" | "e", token: string, flag = "0") => Buffer.from(`BRW1${role}${flag}${token}`, "latin1");

function connect(socket: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const s = net.createConnection(socket);
    s.once("connect", () => resolve(s));
    s.on("error", () => {
      s.destroy();
      resolve(null); // only the first resolve counts; later errors (EPIPE) are the close
    });
  });
}

/** The request body: cwd, env entries, an empty string, argv; each NUL-terminated, after a u32 length. */
function requestOf(req: ExecRequest): Buffer {
  const fields = [req.cwd ?? DEFAULT_CWD, ...Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`), "", ...req.command];
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(""), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

export async function execViaAgent(agent: AgentTarget, req: ExecRequest, onOutput: OutputListener | undefined, started: number): Promise<RawExecResult | null> {
  const hasStdin = req.stdin !== undefined;
  const socks = await Promise.all([connect(agent.socket), connect(agent.socket), connect(agent.socket), ...(hasStdin ? [connect(agent.socket)] : [])]);
  const [ctl, out, err, input] = socks;
  // Checked once connected: a connection to a frozen agent waits in its queue, and closing it
  // before the hello leaves nothing behind.
  if (!ctl || !out || !err || (hasStdin && !input) || (await sandboxFrozen(agent.containerId))) {
    for (const s of socks) s?.destroy();
    return null;
  }
  const token = randomBytes(8).toString("hex");
  ctl.write(Buffer.concat([hello("c", token, hasStdin ? "1" : "0"), requestOf(req)]));
  out.write(hello("o", token));
  err.write(hello("e", token));
  if (input) {
    input.write(hello("i", token));
    input.end(typeof req.stdin === "string" ? Buffer.from(req.stdin) : req.stdin!);
  }
  const maxBytes = req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise<RawExecResult | null>((resolve) => {
    const output = new ExecOutput(maxBytes, onOutput, () => maybeFinish());
    output.attach("stdout", out);
    output.attach("stderr", err);
    let pid: number | null = null;
    let reported: number | null = null;
    let statusKnown = false; // the exit line came, or the control connection closed
    let timedOut = false;
    let cancelled = false;
    let killing = false;
    let settled = false;
    let disarmLimits = () => {};
    let lines = "";
    const timers: NodeJS.Timeout[] = [];

    ctl.on("data", (chunk: Buffer) => {
      lines += chunk.toString("latin1");
      for (let nl = lines.indexOf("\n"); nl >= 0; nl = lines.indexOf("\n")) {
        const m = EXIT_LINE.exec(lines.slice(0, nl));
        lines = lines.slice(nl + 1);
        if (m?.[1] === "pid") pid = Number(m[2]);
        else if (m) {
          reported = Number(m[2]);
          statusKnown = true;
          maybeFinish();
        }
      }
    });
    ctl.on("close", () => {
      // Closed before the command started: the agent could not run it (the sandbox stopped under
      // it); `runc exec` gives the caller the real answer.
      if (pid === null && !killing) return settle(() => resolve(null));
      statusKnown = true;
      maybeFinish();
    });

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      output.stop();
      for (const t of timers) clearTimeout(t);
      disarmLimits();
      // After the exit line this is only goodbye; before it, the agent kills the tree.
      for (const s of socks) s?.destroy();
      outcome();
    };

    const finish = () =>
      settle(() => {
        const exitCode = timedOut ? EXEC_TIMEOUT_EXIT_CODE : (reported ?? KILLED_EXIT_CODE);
        const durationMs = Math.round(performance.now() - started);
        resolve({ exitCode, stdout: output.stdout(), stderr: output.stderr(), durationMs, timedOut, truncated: output.truncated, cancelled });
      });

    function maybeFinish() {
      if (settled || !statusKnown) return;
      output.drainThen(timers, finish);
    }

    // At the timeout, or when the caller aborts: the agent stops and kills the whole tree, and
    // answers with the exit line.
    function killTree() {
      if (killing || settled) return;
      killing = true;
      ctl!.write("k");
      timers.push(setTimeout(finish, EXIT_AFTER_KILL_MS));
    }
    disarmLimits = armExecLimits(req, timers, () => killing || settled, (limit) => (limit === "timeout" ? (timedOut = true) : (cancelled = true)), killTree);
  });
}
