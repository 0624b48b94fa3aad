// Where results go (bench/results/<name>.json, gitignored) and what every result records about
// the run: when, on what machine and Node, at which commit.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const resultsDir = path.resolve(process.cwd(), "bench", "results");

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

export type RunInfo = {
  timestamp: string;
  node: string;
  platform: string;
  arch: string;
  cpuCount: number;
  cpuModel: string | null;
  totalMemoryMb: number;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews results. */
  loadAverage: number[];
  gitCommit: string | null;
  /** Whether the working tree had uncommitted changes (null when git is unavailable). */
  gitDirty: boolean | null;
};

export function runInfo(): RunInfo {
  const cpus = os.cpus();
  const status = git(["status", "--porcelain"]);
  return {
    timestamp: new Date().toISOString(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuCount: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    gitCommit: git(["rev-parse", "HEAD"]),
    gitDirty: status === null ? null : status.length > 0,
  };
}

/** Writes bench/results/<name>.json and returns its path. */
export function writeResult(name: string, result: unknown): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`bad result name: ${name}`);
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  return file;
}
