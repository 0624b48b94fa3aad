// The log of each sandbox's main process (its init, PID 1): its stdout and stderr go to two files
// (SandboxPaths.mainOutput) that this tailer reads every pollMs, frames into lines and hands to
// the batcher with source "main". Each file's read offset is kept next to it (`<file>.offset`),
// so a restarted runner adopting a running sandbox goes on where the last one stopped; a file
// shorter than its offset was started afresh (a new container) and is read from the beginning.
// While the batcher is full the tailer stops reading: the bytes wait on disk, not in memory.
import fs from "node:fs/promises";
import type { LogStream } from "./append-session-logs";
import { LineFramer } from "./line-framer";
import type { LogBatcher, LogTarget } from "./log-batcher";

export type MainOutputSource = LogTarget & { stdout: string; stderr: string };

export const MAIN_SOURCE = "main";
const READ_CHUNK_BYTES = 64 * 1024;
/** Read per file per poll at most; the rest waits for the next poll. */
const MAX_READ_PER_POLL = 1024 * 1024;

/** A file with nothing new for this many polls in a row is looked at only every QUIET_POLL_EVERY-th poll. */
const QUIET_AFTER_POLLS = 8;
const QUIET_POLL_EVERY = 8;

type FileFollower = { file: string; offset: number | null; saved: number; framer: LineFramer; quietPolls: number };
type Followed = { source: MainOutputSource; files: FileFollower[] };

export class MainOutputTailer {
  private readonly followed = new Map<string, Followed>();
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> | null = null;
  private heldBack = false;
  private ticks = 0;

  constructor(
    private readonly batcher: LogBatcher,
    private readonly opts: { pollMs?: number; log?: (message: string) => void } = {},
  ) {
    this.timer = setInterval(() => void this.poll(), opts.pollMs ?? 250);
    this.timer.unref?.();
  }

  /** The sandboxes to follow now. Those no longer listed are read one last time and let go. */
  async sync(sources: MainOutputSource[]): Promise<void> {
    const wanted = new Map(sources.map((s) => [s.sessionId, s]));
    const leaving = [...this.followed.values()].filter((f) => !wanted.has(f.source.sessionId));
    for (const s of sources) if (!this.followed.has(s.sessionId)) this.followed.set(s.sessionId, this.follow(s));
    if (leaving.length === 0) return;
    for (const f of leaving) for (const file of f.files) file.quietPolls = 0; // read them this time, quiet or not
    await this.poll();
    for (const f of leaving) {
      for (const file of f.files) file.framer.end();
      this.followed.delete(f.source.sessionId);
    }
  }

  /** Reads what is there, flushes partial lines, and stops. Offsets stay saved for the next runner. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const f of this.followed.values()) for (const file of f.files) file.quietPolls = 0;
    await this.poll();
    for (const f of this.followed.values()) for (const file of f.files) file.framer.end();
    this.followed.clear();
  }

  poll(): Promise<void> {
    this.polling ??= this.readAll().finally(() => (this.polling = null));
    return this.polling;
  }

  private follow(source: MainOutputSource): Followed {
    const follower = (file: string, stream: LogStream): FileFollower => ({
      file,
      offset: null,
      saved: -1,
      quietPolls: 0,
      framer: new LineFramer({
        onLine: (l) => {
          if (!this.batcher.push(source, { stream, source: MAIN_SOURCE, at: l.at, line: l.text, bytes: l.bytes })) this.heldBack = true;
        },
      }),
    });
    return { source, files: [follower(source.stdout, "stdout"), follower(source.stderr, "stderr")] };
  }

  private async readAll(): Promise<void> {
    // Idle sandboxes are the common case: a quiet file costs one stat every 2 s (at 250 ms polls),
    // not an open, fstat and close four times a second, so hundreds of idle sessions stay cheap.
    // The first output after a quiet spell shows up to QUIET_POLL_EVERY polls later.
    const tick = ++this.ticks;
    for (const f of [...this.followed.values()]) {
      for (const file of f.files) {
        if (file.quietPolls >= QUIET_AFTER_POLLS && tick % QUIET_POLL_EVERY !== 0) continue;
        try {
          await this.readNew(file);
        } catch (err) {
          this.opts.log?.(`main output of ${f.source.sessionId}: ${(err as Error).message}`);
        }
      }
    }
  }

  private async readNew(f: FileFollower): Promise<void> {
    f.offset ??= await readOffset(f.file);
    const size = await fs.stat(f.file).then((st) => st.size, (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return null; // not started yet, or gone with its sandbox
      throw e;
    });
    if (size === null || size === f.offset) {
      f.quietPolls++;
      return;
    }
    f.quietPolls = 0;
    const handle = await fs.open(f.file, "r").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return null; // not started yet, or gone with its sandbox
      throw e;
    });
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size < f.offset) f.offset = 0; // a new container emptied it
      const buf = Buffer.alloc(READ_CHUNK_BYTES);
      let read = 0;
      while (f.offset < size && read < MAX_READ_PER_POLL) {
        if (this.heldBack) {
          // Waiting for room is not the file going quiet: no idle flush of a partial line meanwhile.
          f.framer.pause();
          await this.batcher.whenWritable().finally(() => f.framer.resume());
          this.heldBack = false;
        }
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - f.offset), f.offset);
        if (bytesRead === 0) break;
        f.framer.push(buf.subarray(0, bytesRead));
        f.offset += bytesRead;
        read += bytesRead;
      }
    } finally {
      await handle.close();
    }
    if (f.offset !== f.saved) {
      // Saved once handed to the batcher: a runner killed before its next flush loses at most that
      // flush's lines (a stopped runner flushes first).
      await fs.writeFile(`${f.file}.offset`, String(f.offset)).catch(() => {});
      f.saved = f.offset;
    }
  }
}

async function readOffset(file: string): Promise<number> {
  const text = await fs.readFile(`${file}.offset`, "utf8").catch(() => "");
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
