import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createBackendContext } from "./backend-context";
import { listSandboxes } from "./list-sandboxes";

const dir = mkdtempSync(path.join(os.tmpdir(), "list-sandboxes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in runtime whose `list` fails like runc does when a container vanishes mid-list, `failures` times. */
function flakyRuntime(failures: number): { binary: string; calls: () => number } {
  const counter = path.join(dir, `calls-${failures}`);
  writeFileSync(counter, "");
  const binary = path.join(dir, `runtime-${failures}`);
  writeFileSync(binary, `#!/bin/sh
echo x >> ${counter}
if [ "$(wc -l < ${counter})" -le ${failures} ]; then echo "list failed: stat /run/runc/burrow-ses_X: no such file or directory" >&2; exit 1; fi
echo '[{"id":"burrow-ses_A","status":"running","bundle":"${dir}/state/sandboxes/ses_A/bundle"}]'
`);
  chmodSync(binary, 0o755);
  return { binary, calls: () => readFileSync(counter, "utf8").split("\n").filter(Boolean).length };
}

describe("listSandboxes", () => {
  it("asks again when a container vanished while the runtime listed them", async () => {
    const runtime = flakyRuntime(2);
    const list = await listSandboxes(createBackendContext(path.join(dir, "state"), runtime.binary));
    expect(list.map((s) => s.id)).toEqual(["ses_A"]);
    expect(runtime.calls()).toBe(3);
  });

  it("gives up after a bounded number of attempts", async () => {
    const runtime = flakyRuntime(100);
    await expect(listSandboxes(createBackendContext(path.join(dir, "state"), runtime.binary))).rejects.toThrow(/no such file/);
    expect(runtime.calls()).toBe(5);
  });
});
