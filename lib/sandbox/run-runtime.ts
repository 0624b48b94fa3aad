// Runs the OCI runtime (or a small host tool such as mount) for one short command and turns its
// failures into SandboxErrors. Long-lived, streaming execs are in exec-in-sandbox.ts.
import { spawn } from "node:child_process";
import os from "node:os";
import { SandboxError } from "./sandbox-error";

export type RuntimeCommandResult = { stdout: string; stderr: string; exitCode: number };

/** Short management commands finish in milliseconds; this only catches a wedged runtime. */
const COMMAND_TIMEOUT_MS = 60_000;
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

export function runCommand(binary: string, args: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<RuntimeCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (size >= MAX_CAPTURE_BYTES) return;
      size += chunk.length;
      into.push(chunk);
    };
    child.stdout!.on("data", collect(out));
    child.stderr!.on("data", collect(err));
    if (opts.stdin !== undefined) {
      child.stdin!.on("error", () => {}); // the command may exit without reading it
      child.stdin!.end(opts.stdin);
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === "ENOENT") reject(new SandboxError("runtime_missing", missingBinaryMessage(binary), { cause: e }));
      else reject(new SandboxError("failed", `${binary} could not be started: ${e.message}`, { cause: e }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: exitCodeOf(code, signal),
      });
    });
  });
}

/** Like runCommand, but a non-zero exit becomes a SandboxError classified from the runtime's message. */
export async function runRuntime(binary: string, args: string[], what: string): Promise<RuntimeCommandResult> {
  const result = await runCommand(binary, args);
  if (result.exitCode !== 0) throw runtimeFailure(what, result.stderr || result.stdout);
  return result;
}

/** runc logs errors as `time="…" level=error msg="…"`; other runtimes print plain text. */
export function runtimeMessage(output: string): string {
  const lines = output.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(lines[i]);
    if (m) return m[1].replace(/\\(.)/g, "$1");
  }
  return lines.slice(-3).join(" ").trim();
}

export function runtimeFailure(what: string, output: string): SandboxError {
  const message = runtimeMessage(output);
  const details = { runtimeMessage: message };
  if (/does not exist|not found|no such container/i.test(message)) return new SandboxError("not_found", `${what}: sandbox not found`, { details });
  if (/paused|not running|stopped/i.test(message)) return new SandboxError("not_running", `${what}: sandbox is not running (${message})`, { details });
  return new SandboxError("failed", `${what} failed: ${message}`, { details });
}

const PACKAGES: Record<string, string> = {
  runc: "apt-get install runc",
  runsc: "install gVisor (https://gvisor.dev/docs/user_guide/install/)",
  "kata-runtime": "install Kata Containers (https://katacontainers.io)",
  mount: "apt-get install mount",
  umount: "apt-get install mount",
};

export function missingBinaryMessage(binary: string): string {
  const name = binary.split("/").pop() ?? binary;
  return `${name} not found: ${PACKAGES[name] ?? `install ${name} and put it on PATH`}`;
}

/** A shell-style status: the exit code, or 128+N for a process killed by signal N. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (os.constants.signals[signal] ?? 9) : 0);
}
