// SIGKILL for a process, its process group and all its descendants, seen from the host. Used when
// an exec outlives its timeout: `runc exec` does not forward SIGKILL (nothing can catch it), so the
// process inside must be killed directly. runc makes every exec'd process a session leader, so its
// group holds everything that did not setsid() away; the /proc walk catches most of the rest.
// A daemon that double-forked to the sandbox's init is out of reach here; destroy() ends it. This is
// the `runc exec` path only: through the exec agent (exec-via-agent.ts) the exec's keeper is a
// subreaper inside, so such a daemon stays in the tree it kills.
import fs from "node:fs/promises";

const MAX_ROUNDS = 5;
const MAX_PIDS = 10_000;

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await fs.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const tid of tasks) {
    const text = await fs.readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "");
    for (const p of text.split(" ")) if (p.trim()) out.push(Number(p));
  }
  return out;
}

/** Every descendant of root, also below the already-known ones (which may have forked since). */
async function descendantsOf(root: number, known: Set<number>): Promise<number[]> {
  const seen = new Set<number>();
  const queue = [root, ...known];
  while (queue.length && seen.size < MAX_PIDS) {
    for (const child of await childrenOf(queue.shift()!)) {
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return [...seen];
}

const send = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
};

/**
 * Stop first, kill after: a stopped process cannot fork, so walking the tree while stopping what
 * is found closes the set; then everything found gets SIGKILL (which also ends a stopped process).
 */
export async function killProcessTree(pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 1) return;
  send(-pid, "SIGSTOP");
  send(pid, "SIGSTOP");
  const found = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh = (await descendantsOf(pid, found)).filter((p) => !found.has(p));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      found.add(p);
      send(p, "SIGSTOP");
    }
  }
  send(-pid, "SIGKILL");
  send(pid, "SIGKILL");
  for (const p of found) send(p, "SIGKILL");
}
