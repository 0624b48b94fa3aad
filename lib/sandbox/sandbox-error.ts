// The one error type of this module. The runner maps `code` to an API error:
// not_found → 404, not_running → 409, invalid_path / invalid_argument → 400, too_large → 413,
// runtime_missing → 503, failed → 500 (details carry the runtime's own message for the logs).
export type SandboxErrorCode =
  | "not_found" // no such container (or it is already gone)
  | "not_running" // the container exists but is paused or stopped (exec, files, stats)
  | "runtime_missing" // the OCI runtime binary (or mount/overlayfs) is not installed
  | "invalid_path" // a file path that is not absolute, has NUL or `..`, or names a directory
  | "invalid_argument" // a malformed id, spec or exec request (a caller bug)
  | "too_large" // a file larger than the caller's maxBytes
  | "failed"; // anything else the runtime or the kernel refused

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: SandboxErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "SandboxError";
    this.code = code;
    this.details = opts.details;
  }
}

export const isSandboxError = (err: unknown, code?: SandboxErrorCode): err is SandboxError =>
  err instanceof SandboxError && (code === undefined || err.code === code);
