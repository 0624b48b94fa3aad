// The well-kept tools an image import runs (Debian packages `skopeo`, `umoci` and `tar`), each with
// a time limit, bounded output, and its failure summed up in one line a caller can act on.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { AppError } from "../api/errors";

export const IMAGE_TOOLS_PACKAGES = "apt-get install skopeo umoci";
const STDERR_KEEP_BYTES = 16 * 1024;
const SUMMARY_MAX_CHARS = 300;

export type ToolResult = { exitCode: number; stderr: string; timedOut: boolean };

const toolsMissing = (tool: string) =>
  new AppError("unavailable", `Importing images needs '${tool}' on the server, which is not installed (Debian: ${IMAGE_TOOLS_PACKAGES})`);

/**
 * Runs `tool args…` without a shell. stderr keeps its last STDERR_KEEP_BYTES; stdout goes to
 * `onLine` line by line when given (and is dropped otherwise), so no output is held whole.
 */
export function runTool(tool: string, args: string[], opts: { timeoutMs: number; onLine?: (line: string) => void }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ["ignore", opts.onLine ? "pipe" : "ignore", "pipe"] });
    let stderr = "";
    let timedOut = false;
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEEP_BYTES);
    });
    if (opts.onLine) createInterface({ input: child.stdout!, crlfDelay: Infinity }).on("line", opts.onLine);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" ? toolsMissing(tool) : e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stderr, timedOut });
    });
  });
}

/** Fails with a clear 503 naming the Debian packages when skopeo or umoci is missing. */
export async function assertImageToolsInstalled(): Promise<void> {
  for (const tool of ["skopeo", "umoci"]) {
    const r = await runTool(tool, ["--version"], { timeoutMs: 10_000 });
    if (r.exitCode !== 0) throw new AppError("unavailable", `'${tool} --version' failed on the server (exit ${r.exitCode}); reinstall it (${IMAGE_TOOLS_PACKAGES})`);
  }
}

// GNU tar's closing lines say only that something failed before.
const NOISE = /^(tar: )?(Exiting with failure status due to previous errors|Error is not recoverable: exiting now|Skipping to next header)$/;

/**
 * The last thing a tool said, fit for a client: skopeo's `level=fatal msg="…"` unwrapped, the
 * server's directory `hideDir` cut from paths (…/tpl_x/upload.tar → upload.tar), one line, at most
 * SUMMARY_MAX_CHARS.
 */
export function summarizeToolError(stderr: string, hideDir?: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !NOISE.test(l) && !/^•/.test(l));
  let last = lines.at(-1) ?? "";
  const logfmt = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(last);
  if (logfmt) last = logfmt[1].replace(/\\(.)/g, "$1");
  if (hideDir) last = last.split(`${hideDir}/`).join("").split(hideDir).join(".");
  last = last.replace(/^(tar|umoci|skopeo): /, "");
  return last.length > SUMMARY_MAX_CHARS ? `${last.slice(0, SUMMARY_MAX_CHARS - 1)}…` : last || "no detail";
}
