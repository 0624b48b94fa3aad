// Waits (briefly) for a killed host process to be dead: a zombie or gone. `runc delete --force`
// on a container whose init is still dying sleeps in 100 ms steps; reading /proc/<pid>/stat every
// couple of milliseconds for the few ms a SIGKILL takes is much cheaper than that.
import fs from "node:fs/promises";

const STEP_MS = 2;

/** State letter and start time of a process, or null when there is none. */
async function readStat(pid: number): Promise<{ state: string; startTime: string } | null> {
  const text = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!text) return null;
  // The command name (field 2) may hold spaces and parentheses: parse after its last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], startTime: fields[19] };
}

/** True once the process is dead (or replaced by another with the same pid); false at the deadline. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  if (!(pid > 1)) return true;
  const first = await readStat(pid);
  const deadline = Date.now() + timeoutMs;
  for (let stat = first; stat && stat.startTime === first?.startTime && stat.state !== "Z" && stat.state !== "X"; stat = await readStat(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, STEP_MS));
  }
  return true;
}
