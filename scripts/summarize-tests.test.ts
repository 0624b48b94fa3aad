// The closing line of `npm test` is what CI reads: a file that fails outside any test (an afterAll
// hook, an import) must count as a failure even when every test in it passed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const script = path.join(import.meta.dirname, "summarize-tests.mjs");
let dir = "";
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function summarize(report: object) {
  dir = mkdtempSync(path.join(os.tmpdir(), "summarize-"));
  const file = path.join(dir, "vitest.json");
  writeFileSync(file, JSON.stringify(report));
  return spawnSync(process.execPath, [script, file], { encoding: "utf8" });
}

const passingFile = { name: "/x/a.int.test.ts", status: "passed", assertionResults: [{ status: "passed", fullName: "a" }] };

describe("summarize-tests", () => {
  it("passes when every test and file passed", () => {
    const out = summarize({ numPassedTests: 1, numFailedTests: 0, numPendingTests: 0, testResults: [passingFile] });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("tests: 1 passed, 0 failed");
  });

  it("fails on a file that failed in a hook although all its tests passed", () => {
    const hookFailure = { name: "/x/b.int.test.ts", status: "failed", message: "Error: Command failed: runc list", assertionResults: [{ status: "passed", fullName: "b" }] };
    const out = summarize({ numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, testResults: [passingFile, hookFailure] });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain("Command failed: runc list");
    expect(out.stdout).toContain("tests: 2 passed, 1 failed");
  });
});
