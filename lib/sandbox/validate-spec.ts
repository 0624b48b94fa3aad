// Checks on what the caller hands in, before anything touches the host. The API validates user
// input with zod already; these catch a caller bug early with a clear SandboxError.
import path from "node:path";
import { assertMountablePath, assertSandboxId } from "./sandbox-layout";
import { SandboxError } from "./sandbox-error";
import { MIN_DISK_MIB } from "./session-disk";
import type { ExecRequest, SandboxSpec, TerminalRequest } from "./types";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const MAX_ENV_VARS = 1_000;
const MAX_ARG_BYTES = 1024 * 1024;

const invalid = (message: string) => new SandboxError("invalid_argument", message);

export function assertEnv(env: Record<string, string>, what: string): void {
  if (typeof env !== "object" || env === null) throw invalid(`${what} must be an object`);
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV_VARS) throw invalid(`${what} has more than ${MAX_ENV_VARS} variables`);
  for (const [name, value] of entries) {
    if (!ENV_NAME.test(name)) throw invalid(`${what}: invalid variable name ${JSON.stringify(name)}`);
    if (typeof value !== "string" || value.includes("\0")) throw invalid(`${what}.${name} must be a string without NUL`);
  }
}

export function validateSandboxSpec(spec: SandboxSpec): void {
  assertSandboxId(spec.id);
  const { vcpu, memoryMib, pids } = spec.resources ?? ({} as SandboxSpec["resources"]);
  if (!(Number.isFinite(vcpu) && vcpu >= 0.01 && vcpu <= 1024)) throw invalid(`resources.vcpu must be between 0.01 and 1024, got ${vcpu}`);
  if (!(Number.isInteger(memoryMib) && memoryMib >= 16)) throw invalid(`resources.memoryMib must be an integer of at least 16, got ${memoryMib}`);
  if (pids !== undefined && !(Number.isInteger(pids) && pids >= 8)) throw invalid(`resources.pids must be an integer of at least 8, got ${pids}`);
  const { diskMib, inodes } = spec.resources;
  if (diskMib !== undefined && !(Number.isInteger(diskMib) && diskMib >= MIN_DISK_MIB)) throw invalid(`resources.diskMib must be an integer of at least ${MIN_DISK_MIB}, got ${diskMib}`);
  if (inodes !== undefined && !(Number.isInteger(inodes) && inodes >= 64)) throw invalid(`resources.inodes must be an integer of at least 64, got ${inodes}`);
  assertEnv(spec.env ?? {}, "env");
  if (spec.hostname !== undefined && !HOSTNAME.test(spec.hostname)) throw invalid(`Invalid hostname ${JSON.stringify(spec.hostname)}`);
  if (spec.rootfs?.kind === "dir") assertMountablePath(spec.rootfs.path, "rootfs.path");
  else if (spec.rootfs?.kind !== "host") throw invalid(`rootfs.kind must be "host" or "dir"`);
}

export function validateExecRequest(req: ExecRequest): void {
  const { command } = req;
  if (!Array.isArray(command) || command.length === 0) throw invalid("command must be a non-empty array of strings");
  let bytes = 0;
  for (const arg of command) {
    if (typeof arg !== "string" || arg.includes("\0")) throw invalid("command arguments must be strings without NUL");
    bytes += Buffer.byteLength(arg);
  }
  if (command[0] === "") throw invalid("command[0] must not be empty");
  if (bytes > MAX_ARG_BYTES) throw invalid(`command is longer than ${MAX_ARG_BYTES} bytes`);
  if (req.cwd !== undefined && (typeof req.cwd !== "string" || !path.posix.isAbsolute(req.cwd) || req.cwd.includes("\0"))) {
    throw invalid("cwd must be an absolute path");
  }
  if (req.env) assertEnv(req.env, "exec env");
  if (req.timeoutMs !== undefined && !(Number.isFinite(req.timeoutMs) && req.timeoutMs > 0)) throw invalid("timeoutMs must be a positive number");
  if (req.maxOutputBytes !== undefined && !(Number.isInteger(req.maxOutputBytes) && req.maxOutputBytes >= 0)) {
    throw invalid("maxOutputBytes must be a non-negative integer");
  }
}

export function validateTerminalRequest(req: TerminalRequest): void {
  validateExecRequest({ command: req.command ?? ["sh"], cwd: req.cwd, env: req.env });
  const size = (n: number) => Number.isInteger(n) && n >= 1 && n <= 1000;
  if (!size(req.cols) || !size(req.rows)) throw invalid(`terminal size must be 1..1000 columns and rows, got ${req.cols}x${req.rows}`);
}
