// zstd through the Debian `zstd` CLI (Node 20 has no zstd in node:zlib). Many files go through
// one process: their already-open file descriptors are handed to the child as /dev/fd/3, /dev/fd/4,
// … (never paths, so nothing is re-resolved and no symlink can be followed), and with -c the
// output is one frame per input, concatenated. When Node ≥ 22.15 is the floor, this file is the
// one to swap for node:zlib's zstd.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { SnapshotStoreError } from "./errors";
import { CHILD_ENV } from "./child-env";

export const ZSTD_LEVEL = 3;
const ZSTD = "zstd";
const MAX_STDERR = 4000;

export type ZstdRun = { stdout: Readable; done: Promise<void> };

/** Starts zstd. `fds` become /dev/fd/3… in the child; `stdin` (if given) is piped in; output goes
 * to a pipe, or straight into `stdoutFd` (then `stdout` is an empty stream). */
export function runZstd(args: string[], opts: { fds?: number[]; stdin?: Buffer | Readable; stdoutFd?: number } = {}): ZstdRun {
  const fds = opts.fds ?? [];
  const child = spawn(ZSTD, ["-q", ...args], {
    stdio: [opts.stdin ? "pipe" : "ignore", opts.stdoutFd ?? "pipe", "pipe", ...fds],
    env: CHILD_ENV,
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    if (stderr.length < MAX_STDERR) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(err.code === "ENOENT" ? new SnapshotStoreError("zstd not found: install the Debian package `zstd`") : err);
    });
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new SnapshotStoreError(`zstd ${args.filter((a) => !a.startsWith("/dev/fd/")).join(" ")} failed (${signal ?? code}): ${stderr.trim().slice(0, 500)}`));
    });
  });
  done.catch(() => {}); // the caller awaits it; avoid an unhandled rejection if it stops early
  if (opts.stdin) {
    const stdin = child.stdin!;
    stdin.on("error", () => {}); // EPIPE when zstd exits early: `done` carries the real error
    if (Buffer.isBuffer(opts.stdin)) stdin.end(opts.stdin);
    else {
      const src = opts.stdin;
      src.on("error", (err) => child.kill("SIGKILL") && stdin.destroy(err));
      src.pipe(stdin);
    }
  }
  return { stdout: child.stdout ?? Readable.from([]), done };
}

async function collect(run: ZstdRun): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of run.stdout) chunks.push(chunk as Buffer);
  await run.done;
  return Buffer.concat(chunks);
}

/** Compresses each open file (by descriptor, from its start) into its own frame; returns the
 * frames concatenated in input order. Single-threaded per process, so exactly one frame per input.
 * zstd writes into an unlinked temp file, not a pipe: a pipe would stall it whenever this thread
 * is busy hashing (3-4× slower). */
export async function compressFds(fds: number[]): Promise<Buffer> {
  if (fds.length === 0) return Buffer.alloc(0);
  const args = [`-${ZSTD_LEVEL}`, "-T1", "-f", "-c", "--", ...fds.map((_, i) => `/dev/fd/${i + 3}`)];
  const tmp = path.join(os.tmpdir(), `burrow-zstd-${randomBytes(8).toString("hex")}.tmp`);
  const out = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.unlinkSync(tmp);
    await runZstd(args, { fds, stdoutFd: out }).done;
    const buf = Buffer.allocUnsafe(fs.fstatSync(out).size);
    for (let off = 0, guard = 0; off < buf.length; guard++) {
      const n = fs.readSync(out, buf, off, buf.length - off, off);
      if (n === 0 || guard > 1 << 20) throw new SnapshotStoreError("zstd output shorter than its size");
      off += n;
    }
    return buf;
  } finally {
    fs.closeSync(out);
  }
}

/** Compresses one (large) open file as a stream, with all cores. */
export function compressFdStream(fd: number): ZstdRun {
  return runZstd([`-${ZSTD_LEVEL}`, "-T0", "-f", "-c", "--", "/dev/fd/3"], { fds: [fd] });
}

export function compressBuffer(data: Buffer): Promise<Buffer> {
  return collect(runZstd([`-${ZSTD_LEVEL}`, "-T1", "-c"], { stdin: data }));
}

export function decompressBuffer(data: Buffer): Promise<Buffer> {
  return collect(runZstd(["-d", "-c"], { stdin: data }));
}

/** Decompresses a stream of concatenated frames; zstd checks each frame's content checksum. */
export function decompressStream(input: Readable): ZstdRun {
  return runZstd(["-d", "-c"], { stdin: input });
}
