// Resident memory of a process and its descendants, from /proc (Linux), in bytes.
import { readdirSync, readFileSync } from "node:fs";

function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces or parentheses: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone meanwhile */
    }
  }
  return children;
}

export function processTreeRss(pid: number): { bytes: number; pids: number[] } {
  const children = childrenOf();
  const pids: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    pids.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return { bytes: pids.reduce((sum, p) => sum + rssOf(p), 0), pids };
}
