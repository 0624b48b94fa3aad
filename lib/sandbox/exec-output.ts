// The output side of one exec, shared by both ways of running it (exec-in-sandbox.ts: `runc exec`;
// exec-via-agent.ts: the sandbox's agent): stdout and stderr captured up to a cap, every byte shown
// to the listener (which may hold a stream back), and the short drain after the command exited.
import type { Readable } from "node:stream";
import { DEFAULT_EXEC_TIMEOUT_MS, type ExecRequest, type OutputListener } from "./types";

export type RawExecResult = { exitCode: number; stdout: Buffer; stderr: Buffer; durationMs: number; timedOut: boolean; truncated: boolean; cancelled: boolean };

/** Reported when the command's shell (or the agent's keeper) was killed before it could say (e.g. by the OOM killer). */
export const KILLED_EXIT_CODE = 137;
/** After a timeout kill, the status gets this long to arrive (longer only if the sandbox is frozen). */
export const EXIT_AFTER_KILL_MS = 2_000;

/** After the command exits, output still in flight (or written by what it left behind) is collected this long. */
const DRAIN_AFTER_EXIT_MS = 100;
const MAX_DRAIN_AFTER_EXIT_MS = 5_000;

/**
 * Arms an exec's two limits, its time limit and its caller's AbortSignal: either kills the whole tree,
 * and the first to fire while the exec is not already ending (`ending()`) is said through `hit`, so
 * the result reads as timed out or cancelled. Returns what removes the abort listener.
 */
export function armExecLimits(req: ExecRequest, timers: NodeJS.Timeout[], ending: () => boolean, hit: (limit: "timeout" | "abort") => void, killTree: () => void): () => void {
  const reach = (limit: "timeout" | "abort") => {
    if (!ending()) hit(limit);
    killTree();
  };
  const onAbort = () => reach("abort");
  timers.push(setTimeout(() => reach("timeout"), req.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS));
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener("abort", onAbort, { once: true });
  // The timer is the caller's to clear (it is in `timers`); the listener goes here.
  return () => req.signal?.removeEventListener("abort", onAbort);
}

type Captured = { chunks: Buffer[]; size: number };

export class ExecOutput {
  truncated = false;
  /** Output streams still open (each closes when every holder of its pipe did). */
  open = 2;
  private readonly streams: Record<"stdout" | "stderr", Captured> = { stdout: { chunks: [], size: 0 }, stderr: { chunks: [], size: 0 } };
  private heldBack = 0; // output streams paused by the listener
  private lastOutputAt = 0;
  private stopped = false;
  private draining = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onOutput: OutputListener | undefined,
    private readonly onClose: () => void,
  ) {}

  // The result keeps maxBytes per stream (reading goes on, so the process never blocks on a full
  // pipe); the listener sees every byte, and may hold a stream back by returning a promise.
  attach(name: "stdout" | "stderr", stream: Readable): void {
    stream.on("data", (chunk: Buffer) => {
      this.lastOutputAt = performance.now();
      const s = this.streams[name];
      const room = this.maxBytes - s.size;
      if (chunk.length > room) this.truncated = true;
      if (room > 0) {
        const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
        s.chunks.push(kept);
        s.size += kept.length;
      }
      if (!this.onOutput) return;
      let hold: unknown;
      try {
        hold = this.onOutput(name, chunk);
      } catch {
        /* a listener's failure is not the process's */
      }
      if (!(hold instanceof Promise)) return;
      stream.pause();
      this.heldBack++;
      void hold.catch(() => {}).then(() => {
        this.heldBack--;
        if (!this.stopped) stream.resume();
      });
    });
    stream.on("close", () => {
      this.open--;
      this.onClose();
    });
  }

  stdout = () => Buffer.concat(this.streams.stdout.chunks);
  stderr = () => Buffer.concat(this.streams.stderr.chunks);

  stop(): void {
    this.stopped = true;
  }

  /**
   * The command has exited: `done` now if both streams closed, else once output held back by the
   * listener, or still flowing, is read. A stream that stays open (a background child holds it)
   * ends the exec once it has been quiet for the grace, or after MAX_DRAIN_AFTER_EXIT_MS of
   * chatter, whichever comes first.
   */
  drainThen(timers: NodeJS.Timeout[], done: () => void): void {
    if (this.open === 0) return done();
    if (this.draining) return;
    this.draining = true;
    const exitedAt = performance.now();
    const drained = () => {
      const now = performance.now();
      const flowing = now - this.lastOutputAt < DRAIN_AFTER_EXIT_MS && now - exitedAt < MAX_DRAIN_AFTER_EXIT_MS;
      if (this.heldBack > 0 || flowing) timers.push(setTimeout(drained, DRAIN_AFTER_EXIT_MS));
      else done();
    };
    timers.push(setTimeout(drained, DRAIN_AFTER_EXIT_MS));
  }
}
