// The log of one exec: a `system` line when it starts ("$ command") and when it ends ("exit 0 in
// 12 ms"; "(timed out)" or "(killed: client disconnected)" after it when it was killed), and its stdout and stderr as framed lines in between, all with the exec's id as
// their source. Its output listener returns a promise while the batcher is full, which pauses the
// exec's output (the process then blocks on its pipe) instead of growing memory.
import type { LogStream } from "./append-session-logs";
import { LineFramer } from "./line-framer";
import type { LogBatcher, LogTarget } from "./log-batcher";

export type ExecLogCapture = {
  /** An output listener for SandboxBackend.exec. */
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => Promise<void> | undefined;
  /** The exec ended: flushes partial lines and writes the exit line. */
  finish: (outcome: { exitCode: number; durationMs: number; timedOut: boolean; cancelled?: boolean }) => void;
  /** The exec failed (the runtime failed or the sandbox went away): flushes partial lines and says why. */
  fail: (message: string) => void;
};

const MAX_COMMAND_CHARS = 2_000;

/** The end line of an exec whose runner died under it (written when the runner starts again). */
export const EXEC_INTERRUPTED_LINE = "[burrow] exec interrupted: the runner stopped before the command ended; its outcome is unknown";

export function captureExecLogs(batcher: LogBatcher, target: LogTarget, exec: { execId: string; command: string[] }): ExecLogCapture {
  let heldBack = false;
  // The "$ command" line is written with the first output or the end, so a request refused before
  // anything ran (bad arguments) leaves no trace in the log.
  const startedAt = new Date();
  let started = false;
  const push = (stream: LogStream, line: string, at = new Date(), bytes?: number) => {
    if (!started) {
      started = true;
      push("system", `$ ${formatCommand(exec.command)}`, startedAt);
    }
    if (!batcher.push(target, { stream, source: exec.execId, at, line, bytes })) heldBack = true;
  };
  const framerFor = (stream: "stdout" | "stderr") => new LineFramer({ onLine: (l) => push(stream, l.text, l.at, l.bytes) });
  const framers = { stdout: framerFor("stdout"), stderr: framerFor("stderr") };
  let ended = false;
  const end = (line: string) => {
    if (ended) return;
    ended = true;
    framers.stdout.end();
    framers.stderr.end();
    push("system", line);
  };

  return {
    onOutput(stream, chunk) {
      framers[stream].push(chunk);
      if (!heldBack) return undefined;
      heldBack = false;
      // The stream is paused until there is room: a partial line at the end of this chunk is not
      // the process going quiet (flushing it on the idle timer would split the line in two rows).
      const framer = framers[stream];
      framer.pause();
      return batcher.whenWritable().finally(() => framer.resume());
    },
    finish: ({ exitCode, durationMs, timedOut, cancelled }) =>
      end(`exit ${exitCode} in ${durationMs} ms${timedOut ? " (timed out)" : cancelled ? " (killed: client disconnected)" : ""}`),
    fail: (message) => end(`[burrow] exec failed: ${message}`),
  };
}

/** The command as a shell would read it back (arguments quoted where needed), shortened if huge. */
export function formatCommand(command: string[]): string {
  if (!Array.isArray(command)) return String(command);
  const text = command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
  return text.length > MAX_COMMAND_CHARS ? `${text.slice(0, MAX_COMMAND_CHARS)}…` : text;
}
