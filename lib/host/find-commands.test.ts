import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { isOnPath, missingTools } from "./find-commands";
import { hostTools } from "./prerequisites";

const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-find-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("finds executables on PATH, not plain files or directories of that name", () => {
  writeFileSync(path.join(dir, "runc"), "#!/bin/sh\n");
  chmodSync(path.join(dir, "runc"), 0o755);
  writeFileSync(path.join(dir, "zstd"), "not executable");
  mkdirSync(path.join(dir, "python3"));
  expect(isOnPath("runc", dir)).toBe(true);
  expect(isOnPath("zstd", dir)).toBe(false);
  expect(isOnPath("python3", dir)).toBe(false);
  expect(isOnPath(path.join(dir, "runc"), "")).toBe(true);
  const missing = missingTools(hostTools({ runtime: "runc", diskLimits: false }), dir).map((t) => t.command);
  expect(missing).not.toContain("runc");
  expect(missing).toContain("zstd");
});
