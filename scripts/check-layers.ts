// The layering rules, checked in the test command rather than remembered:
//  - lib/ never imports from app/ or components/;
//  - app/ and components/ never reach Prisma or lib/db directly (they call a domain function);
//  - process.env is read only in lib/env.ts (and in scripts, tests, benchmarks and config files);
//  - no import cycles among lib/ files;
//  - no source file over 500 lines;
//  - raw SQL (Prisma's $queryRaw/$executeRaw and their Unsafe forms, pg's query()) on a tenant
//    table only in the files listed in raw-sql-allowlist.ts, each reviewed for tenant scoping.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { RAW_SQL_ON_TENANT_TABLES } from "./raw-sql-allowlist";

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
  const sources: SourceFile[] = [];
  for (const file of files) {
    const r = rel(file);
    const text = readFileSync(file, "utf8");
    sources.push({ path: r, text });
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
  problems.push(...rawSqlProblems(sources, tenantTables(readFileSync(path.join(root, "prisma/schema.prisma"), "utf8")), RAW_SQL_ON_TENANT_TABLES));
  return problems;
}

export type SourceFile = { path: string; text: string };

const RAW_SQL_CALL = /\$(?:queryRaw|executeRaw)(?:Unsafe)?\b|\.query\s*(?:<[^>]*>)?\(/;

/** Tables holding tenant data: every model with a tenantId column, and the tenants themselves. */
export function tenantTables(schema: string): string[] {
  const tables: string[] = [];
  for (const m of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = m;
    if (name !== "Tenant" && !/^\s*tenantId\s/m.test(body)) continue;
    tables.push(/@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name);
  }
  return tables;
}

/**
 * A file that runs raw SQL naming a tenant table must be in the allowlist (with its reason), and
 * every listed file must still do so, so the list stays the true set of files to review.
 */
export function rawSqlProblems(files: SourceFile[], tables: string[], allowlist: Record<string, string>): string[] {
  const problems: string[] = [];
  const names = tables.map((t) => t.replace(/[^\w]/g, "")).join("|");
  const namesTable = new RegExp(`\\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\\s+"?(${names})"?\\b`, "i");
  const seen = new Set<string>();
  for (const f of files) {
    if (/\.test\.tsx?$/.test(f.path) || !RAW_SQL_CALL.test(f.text)) continue;
    const code = f.text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
    const table = namesTable.exec(code)?.[1];
    if (!table) continue;
    seen.add(f.path);
    if (!allowlist[f.path]) {
      problems.push(`${f.path}: raw SQL on tenant table ${table}; use ctx.db (tenantDb), or scope it by tenant_id and add the file with a reason to scripts/raw-sql-allowlist.ts`);
    }
  }
  for (const listed of Object.keys(allowlist)) {
    if (!seen.has(listed)) problems.push(`scripts/raw-sql-allowlist.ts: ${listed} no longer runs raw SQL on a tenant table; remove it from the list`);
  }
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
