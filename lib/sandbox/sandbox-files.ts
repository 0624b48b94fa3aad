// Reading and writing one file of a sandbox. Paths are resolved by a small shell inside the
// sandbox (its own root and mount namespace), never on the host: a `..`, a symlink or a bind mount
// in the sandbox can only ever lead to another place in the sandbox.
import path from "node:path";
import { execInSandbox, type ExecTarget } from "./exec-in-sandbox";
import { SandboxError } from "./sandbox-error";

const MAX_PATH_BYTES = 4096;
const FILE_OP_TIMEOUT_MS = 120_000;
// Exit codes of the scripts below, out of the range commands use.
const MISSING = 44;
const IS_DIRECTORY = 45;
const NOT_REGULAR = 46;
const NO_PARENT = 47;

/** Absolute, no NUL, no `..` segment, not the root: anything else is refused before the sandbox sees it. */
export function assertSandboxFilePath(p: unknown): asserts p is string {
  const bad = (why: string) => new SandboxError("invalid_path", `Invalid path ${JSON.stringify(p)}: ${why}`);
  if (typeof p !== "string" || p.length === 0) throw bad("a non-empty string is required");
  if (p.includes("\0")) throw bad("it contains a NUL byte");
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) throw bad(`longer than ${MAX_PATH_BYTES} bytes`);
  if (!p.startsWith("/")) throw bad("it must be absolute (start with /)");
  if (p.split("/").includes("..")) throw bad("`..` is not allowed");
  if (path.posix.normalize(p) === "/") throw bad("it names the root directory");
}

// $1 path, $2 byte count. Only regular files: a FIFO or /dev/zero would block or never end.
const READ_SCRIPT = `p=$1
[ -e "$p" ] || exit ${MISSING}
[ -d "$p" ] && exit ${IS_DIRECTORY}
[ -f "$p" ] || exit ${NOT_REGULAR}
exec head -c "$2" -- "$p"`;

// $1 path; the content comes on stdin. Parents are created like `mkdir -p`.
const WRITE_SCRIPT = `p=$1
d=\${p%/*}
if [ -n "$d" ] && [ ! -d "$d" ]; then mkdir -p -- "$d" || exit ${NO_PARENT}; fi
[ -d "$p" ] && exit ${IS_DIRECTORY}
exec cat > "$p"`;

function fileFailure(op: string, p: string, exitCode: number, stderr: Buffer): SandboxError {
  const reason = stderr.toString("utf8").trim().split("\n").pop() ?? "";
  if (exitCode === MISSING) return new SandboxError("not_found", `${op} ${p}: no such file`);
  if (exitCode === IS_DIRECTORY) return new SandboxError("invalid_path", `${op} ${p}: is a directory`);
  if (exitCode === NOT_REGULAR) return new SandboxError("invalid_path", `${op} ${p}: not a regular file`);
  // The sandbox's disk (diskMib) or its inodes are full: the body does not fit, as 413 says.
  if (/No space left on device|Disk quota exceeded/i.test(stderr.toString("utf8"))) {
    return new SandboxError("too_large", `${op} ${p}: the sandbox's disk is full (resources.diskMib)`, { details: { reason: "disk_full" } });
  }
  if (exitCode === NO_PARENT) return new SandboxError("failed", `${op} ${p}: cannot create the parent directory (${reason})`);
  return new SandboxError("failed", `${op} ${p} failed (exit ${exitCode}): ${reason}`, { details: { exitCode } });
}

export async function readSandboxFile(target: ExecTarget, p: string, maxBytes: number): Promise<Buffer> {
  assertSandboxFilePath(p);
  if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) throw new SandboxError("invalid_argument", "maxBytes must be a non-negative integer");
  // One byte more than allowed tells "exactly maxBytes" from "larger".
  const limit = maxBytes + 1;
  const result = await execInSandbox(target, {
    command: ["/bin/sh", "-c", READ_SCRIPT, "sh", p, String(limit)],
    cwd: "/",
    timeoutMs: FILE_OP_TIMEOUT_MS,
    maxOutputBytes: limit,
  });
  if (result.timedOut) throw new SandboxError("failed", `read ${p}: timed out`);
  if (result.exitCode !== 0) throw fileFailure("read", p, result.exitCode, result.stderr);
  if (result.stdout.length > maxBytes) throw new SandboxError("too_large", `read ${p}: larger than ${maxBytes} bytes`, { details: { maxBytes } });
  return result.stdout;
}

export async function writeSandboxFile(target: ExecTarget, p: string, data: Buffer, maxBytes: number): Promise<void> {
  assertSandboxFilePath(p);
  if (!Buffer.isBuffer(data)) throw new SandboxError("invalid_argument", "data must be a Buffer");
  if (data.length > maxBytes) throw new SandboxError("too_large", `write ${p}: ${data.length} bytes is more than ${maxBytes}`, { details: { maxBytes } });
  if (p.endsWith("/")) throw new SandboxError("invalid_path", `write ${p}: is a directory`);
  const result = await execInSandbox(target, {
    command: ["/bin/sh", "-c", WRITE_SCRIPT, "sh", p],
    cwd: "/",
    stdin: data,
    timeoutMs: FILE_OP_TIMEOUT_MS,
    maxOutputBytes: 64 * 1024,
  });
  if (result.timedOut) throw new SandboxError("failed", `write ${p}: timed out`);
  if (result.exitCode !== 0) throw fileFailure("write", p, result.exitCode, result.stderr);
}
