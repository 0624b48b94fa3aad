// Summarizes a V8 .cpuprofile (node --cpu-prof): the top frames by self time and by inclusive time
// (a frame's own samples plus its callees', each sample counted once per frame even under recursion),
// and self time grouped by package (node_modules/<pkg>, node: internals, our code, GC, idle).
// Usage: npx tsx bench/summarize-cpuprofile.ts <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export function summarizeCpuProfile(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfCount = new Map<number, number>();
  profile.samples.forEach((id, i) => selfCount.set(id, (selfCount.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfCount.values()].reduce((a, b) => a + b, 0);
  const label = (n: Node) => {
    const f = n.callFrame;
    const url = f.url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "nm:").replace(/.*\/\.next\//, ".next/").replace(/.*\/wt\/[^/]+\//, "");
    return `${f.functionName || "(anonymous)"} ${url ? `${url}:${f.lineNumber + 1}` : ""}`.trim();
  };
  const group = (n: Node) => {
    const url = n.callFrame.url;
    const name = n.callFrame.functionName;
    if (!url) return name.startsWith("(") ? name : "(native)";
    if (url.startsWith("node:")) return "node:internal";
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    if (url.includes("/.next/")) return /\[root-of-the-server\]|next\/dist|node_modules/.test(url) ? "next (bundled)" : "app (bundled)";
    return "other";
  };
  const selfByLabel = new Map<string, number>();
  const inclByLabel = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  for (const [id, t] of selfCount) {
    const n = byId.get(id)!;
    selfByLabel.set(label(n), (selfByLabel.get(label(n)) ?? 0) + t);
    selfByGroup.set(group(n), (selfByGroup.get(group(n)) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclByLabel.set(l, (inclByLabel.get(l) ?? 0) + t);
    }
  }
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, v]) => ({ pct: Math.round((v / total) * 1000) / 10, ms: Math.round(v / 1000), frame: k }));
  return { totalMs: Math.round(total / 1000), self: rows(selfByLabel), inclusive: rows(inclByLabel), selfByGroup: rows(selfByGroup) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: summarize-cpuprofile.ts <file.cpuprofile> [top]");
  const s = summarizeCpuProfile(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(process.argv[3] ?? 25));
  const print = (title: string, r: { pct: number; ms: number; frame: string }[]) => {
    console.log(`\n${title}`);
    for (const x of r) console.log(`${x.pct.toFixed(1).padStart(6)}% ${String(x.ms).padStart(7)} ms  ${x.frame}`);
  };
  console.log(`total sampled: ${s.totalMs} ms`);
  print("self time by group", s.selfByGroup);
  print("self time, top frames", s.self);
  print("inclusive time, top frames", s.inclusive);
}
