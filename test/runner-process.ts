// A real runner worker (workers/runner) in a child process, serving its own pool, with its own
// DATA_DIR for sandboxes and snapshots. Tests place sessions on it with `pool`.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "@/lib/db/client";
import { uniqueSlug } from "./helpers";

export type TestRunner = { id: string; name: string; pool: string; dataDir: string; stop: () => Promise<void>; kill: () => Promise<void>; output: () => string };

export async function startRunner(opts: { name?: string; pool?: string; dataDir?: string; vcpu?: number } = {}): Promise<TestRunner> {
  const name = opts.name ?? uniqueSlug("runner");
  const pool = opts.pool ?? uniqueSlug("pool");
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "burrow-runner-"));
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/runner/index.ts"], {
    env: {
      ...process.env,
      RUNNER_NAME: name,
      RUNNER_LABELS: JSON.stringify({ pool }),
      RUNNER_VCPU: String(opts.vcpu ?? 16),
      RUNNER_MEMORY_MIB: "16384",
      DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  let id: string | undefined;
  while (!id && Date.now() < deadline && child.exitCode === null) {
    const row = await db().runner.findUnique({ where: { name } });
    if (row && row.status === "online" && output.includes("ready:")) id = row.id;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!id) {
    child.kill("SIGKILL");
    throw new Error(`runner did not register:\n${output}`);
  }
  return {
    id, name, pool, dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export function removeDataDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}
