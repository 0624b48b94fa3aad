// The layering rules, checked in the test command rather than remembered:
//  - lib/ never imports from app/ or components/;
//  - app/ and components/ never reach Prisma or lib/db directly (they call a domain function);
//  - process.env is read only in lib/env.ts (and in scripts, tests, benchmarks and config files);
//  - no import cycles among lib/ files;
//  - no source file over 500 lines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = process.cwd();
const SOURCE = /\.(ts|tsx)$/;
const SKIP = new Set(["node_modules", ".next", "generated", ".data", "test-results", "playwright-report"]);

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (SOURCE.test(name)) out.push(full);
  }
  return out;
}

const rel = (f: string) => path.relative(root, f);
const importsOf = (text: string) => [...text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);

function resolveImport(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next */
    }
  }
  return null;
}

export function checkLayers(): string[] {
  const problems: string[] = [];
  const files = ["app", "components", "lib", "workers"].flatMap((d) => {
    try {
      return walk(path.join(root, d));
    } catch {
      return [];
    }
  });
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const r = rel(file);
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").length;
    if (lines > 500) problems.push(`${r}: ${lines} lines (split it by concern; the limit is 500)`);
    const isTest = /\.test\.tsx?$/.test(r);
    if (!isTest && r !== "lib/env.ts" && /process\.env\b/.test(text)) problems.push(`${r}: reads process.env (use lib/env.ts)`);
    const resolved: string[] = [];
    for (const spec of importsOf(text)) {
      const target = resolveImport(file, spec);
      const targetRel = target ? rel(target) : spec;
      if (r.startsWith("lib/") && /^(app|components)\//.test(targetRel)) problems.push(`${r}: lib/ imports ${targetRel}`);
      if (/^(app|components)\//.test(r) && (/^lib\/db\//.test(targetRel) || /^@prisma\//.test(spec))) {
        problems.push(`${r}: reaches the database layer (${spec}); call a domain function in lib/ instead`);
      }
      if (target && r.startsWith("lib/") && targetRel.startsWith("lib/")) resolved.push(target);
    }
    graph.set(file, resolved);
  }
  problems.push(...findCycles(graph));
  return problems;
}

function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (node: string) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "visiting") {
      cycles.push(`import cycle: ${stack.slice(stack.indexOf(node)).concat(node).map(rel).join(" -> ")}`);
      return;
    }
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const problems = checkLayers();
  for (const p of problems) console.error(p);
  console.log(problems.length ? `layer check: ${problems.length} problem(s)` : "layer check: ok");
  process.exit(problems.length ? 1 : 0);
}
