// Whether a sandbox's init (its PID 1, seen from the host) still does its one job: reaping. An init
// that is stopped (SIGSTOP from the host, or a tracer that attached and left it stopped: the
// seccomp profile now refuses ptrace inside) reaps nothing, so zombies pile up to the pids limit
// while the sandbox looks running. Read from /proc and the bundle's config: no process started.
import fs from "node:fs/promises";
import path from "node:path";
import { sandboxHandle, type BackendContext } from "./backend-context";
import { DEFAULT_PIDS_LIMIT } from "./types";

/** ok; stopped (init stopped or traced); dead (init a zombie or gone); zombies (unreaped children at half the pids limit or more). */
export type InitHealth = "ok" | "stopped" | "dead" | "zombies";

const MAX_CHILDREN_READ = 10_000;

/** The state letter of /proc/<pid>/status ("S", "T", "Z", …), or null when the process is gone. */
async function processState(pid: number): Promise<string | null> {
  const text = await fs.readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  return text ? (/^State:\s+(\S)/m.exec(text)?.[1] ?? null) : null;
}

async function pidsLimitOf(configFile: string): Promise<number> {
  const config = JSON.parse(await fs.readFile(configFile, "utf8").catch(() => "{}")) as { linux?: { resources?: { pids?: { limit?: number } } } };
  return config.linux?.resources?.pids?.limit ?? DEFAULT_PIDS_LIMIT;
}

/** Null when the sandbox has no init pid (not started here). */
export async function sandboxInitHealth(ctx: BackendContext, id: string): Promise<InitHealth | null> {
  const h = sandboxHandle(ctx, id);
  const pid = Number((await fs.readFile(path.join(h.layout.root, "init.pid"), "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 1) return null;
  const state = await processState(pid);
  if (state === null || state === "Z" || state === "X") return "dead";
  if (state === "T" || state === "t") return "stopped";
  const children = (await fs.readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "")).split(" ").filter(Boolean).slice(0, MAX_CHILDREN_READ);
  let zombies = 0;
  for (const child of children) if ((await processState(Number(child))) === "Z") zombies++;
  return zombies > 0 && zombies * 2 >= (await pidsLimitOf(h.layout.configFile)) ? "zombies" : "ok";
}
