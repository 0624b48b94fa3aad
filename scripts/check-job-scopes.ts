// Cluster-wide jobs called from tests must be scoped. Integration test files run in parallel
// against one database, and a job run without a scope acts on every other file's rows too (an
// idle-policy run pausing another file's live session is how real-session tests used to flake).
// Every job of workers/scheduler/index.ts takes a scope (tenant ids, runner ids, emails or a
// store); this check fails when a test calls one without naming it, or when the scheduler gets a
// job this list does not know. A deliberate cluster-wide call in a test (only a file with a
// Postgres of its own, or a run whose effect on others is harmless) carries the marker
// `job-scope: all (<why>)` on its line or the line above.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Each job function (as imported by the scheduler, or a step of one) and the key that scopes it. */
export const SCOPED_JOBS: Record<string, string> = {
  pruneIdempotencyRecords: "tenantIds",
  pruneSignInAttempts: "emails",
  applyIdlePolicy: "tenantIds",
  declareLostRunners: "runnerIds",
  terminateUnplacedSessions: "tenantIds",
  expireSnapshots: "tenantIds",
  collectSnapshotGarbage: "store",
  purgeExpiredTelemetry: "tenantIds",
  rollupUsageJob: "tenantIds",
  rollupUsage: "tenantId",
  enforceSpendLimits: "tenantIds",
  pushUsageToStripe: "tenantIds",
  enqueueUsagePushes: "tenantIds",
  sendPendingUsagePushes: "tenantIds",
  syncLocalInvoices: "tenantIds",
};

/** Scheduler imports that are not jobs themselves (createLostRunnerJob wraps declareLostRunners). */
const NOT_JOBS = new Set(["disconnectDb", "stopWhenParentGone", "createLostRunnerJob"]);

const ALLOW = /job-scope: all \(.+\)/;

/** The text between the parenthesis at `open` and its match (strings are not special-cased: none of these calls has a parenthesis in a string). */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Calls in `text` of a scoped job that do not name its scope key, as "file:line: name(args)". */
export function unscopedJobCalls(text: string, file: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  for (const [name, key] of Object.entries(SCOPED_JOBS)) {
    for (const m of text.matchAll(new RegExp(`(?<![\\w.])${name}\\(`, "g"))) {
      const lineIndex = text.slice(0, m.index).split("\n").length - 1;
      const line = lines[lineIndex];
      if (/^\s*(\/\/|\*)/.test(line) || /\bfunction\s/.test(line.slice(0, line.indexOf(name)))) continue;
      if (ALLOW.test(line) || ALLOW.test(lines[lineIndex - 1] ?? "")) continue;
      const args = argumentsAt(text, m.index + name.length);
      if (!new RegExp(`\\b${key}\\b`).test(args)) problems.push(`${file}:${lineIndex + 1}: ${name}(${args.replace(/\s+/g, " ").trim()}) names no ${key}`);
    }
  }
  return problems.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** Names the scheduler imports from lib/ (its jobs). */
export function schedulerJobNames(schedulerSource: string): string[] {
  const names: string[] = [];
  for (const m of schedulerSource.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']\.\.\/\.\.\/lib\/[^"']+["']/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0];
      if (name && !NOT_JOBS.has(name)) names.push(name);
    }
  }
  return names;
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "generated") continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out;
}

export function checkJobScopes(root = process.cwd()): string[] {
  const problems: string[] = [];
  const scheduler = readFileSync(path.join(root, "workers/scheduler/index.ts"), "utf8");
  for (const name of schedulerJobNames(scheduler)) {
    if (!(name in SCOPED_JOBS)) problems.push(`workers/scheduler/index.ts: job ${name} is not in SCOPED_JOBS (scripts/check-job-scopes.ts): give it a scope`);
  }
  const testFiles = [
    ...walk(path.join(root, "test"), (f) => f.endsWith(".ts")),
    ...["lib", "workers", "e2e"].flatMap((d) => walk(path.join(root, d), (f) => /\.(test|spec)\.ts$/.test(f))),
  ];
  for (const file of testFiles) problems.push(...unscopedJobCalls(readFileSync(file, "utf8"), path.relative(root, file)));
  return problems;
}
