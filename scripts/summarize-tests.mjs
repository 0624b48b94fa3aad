// Adds up the vitest and Playwright JSON reports into one closing line: "tests: N passed, N failed",
// preceded by the name and first error line of each failed test. CI keeps only the tail of a log,
// so a failure must be named at the end, not only where the runner printed it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
/** Test files that failed outside any test (a hook, an import): their tests may all read as passed. */
let failedFiles = 0;
const failures = [];

const firstLine = (text) => String(text ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim()) ?? "";

function collectVitestFailures(report) {
  for (const file of report.testResults ?? []) {
    const rel = path.relative(process.cwd(), file.name);
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const t of failedTests) failures.push(`${rel} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    // A file that fails outside any test (a hook, an import) has no failed assertion to name.
    if (failedTests.length === 0 && file.status === "failed") {
      failures.push(`${rel}: ${firstLine(file.message)}`);
      failedFiles += 1;
    }
  }
}

function collectPlaywrightFailures(suite, trail = []) {
  const names = suite.title ? [...trail, suite.title] : trail;
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status !== "unexpected") continue;
      const error = test.results?.at(-1)?.error?.message;
      failures.push(`${[...names, spec.title].join(" › ")}: ${firstLine(error)}`);
    }
  }
  for (const child of suite.suites ?? []) collectPlaywrightFailures(child, names);
}

for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    missing += 1;
    console.error(`no report at ${file} (that runner did not finish)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  if ("numPassedTests" in report) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    collectVitestFailures(report);
  } else if (report.stats) {
    passed += report.stats.expected + (report.stats.flaky ?? 0);
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
    for (const suite of report.suites ?? []) collectPlaywrightFailures(suite);
  }
}
if (failures.length > 0) {
  console.log("failed:");
  for (const f of failures) console.log(`  ✗ ${f.slice(0, 400)}`);
}
console.log(`tests: ${passed} passed, ${failed + missing + failedFiles} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed + missing + failedFiles > 0 || passed === 0 ? 1 : 0);
