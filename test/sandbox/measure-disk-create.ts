// What a disk limit costs a create and a destroy: medians with and without an image (diskMib 2048,
// the template default), interleaved so both see the same machine load. Not a test; run as root:
//   npx tsx test/sandbox/measure-disk-create.ts [rounds=10]
// Uses its own temp state dir and removes every sandbox, mount and file it made, also on failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRuncBackend } from "../../lib/sandbox";
import { unmountAllUnder } from "../../lib/sandbox/overlay-mount";

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 10) || 10, 1), 100);
const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-disk-timings-"));
const backend = createRuncBackend({ stateDir });
const samples: Record<string, number[]> = {};

async function timed(name: string, fn: () => Promise<unknown>) {
  const t = performance.now();
  await fn();
  (samples[name] ??= []).push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  for (let i = 0; i <= rounds; i++) {
    for (const diskMib of [undefined, 2048]) {
      const id = `ses_DISK${i}_${diskMib ?? 0}`;
      const label = diskMib ? "with a 2 GiB image" : "without an image";
      const spec = { id, rootfs: { kind: "host" as const }, resources: { vcpu: 1, memoryMib: 256, diskMib }, env: {} };
      if (i === 0) { // warm-up: builds the shared template layers
        await backend.create(spec);
        await backend.destroy(id);
        continue;
      }
      await timed(`create ${label}`, () => backend.create(spec));
      await timed(`destroy ${label}`, () => backend.destroy(id));
    }
  }
  for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(32)} median ${median(xs).toFixed(1)} ms (n=${xs.length})`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await unmountAllUnder(stateDir).catch((e: Error) => console.error(e.message));
    for (const c of JSON.parse(execFileSync("runc", ["list", "--format", "json"], { encoding: "utf8" }) || "null") ?? []) {
      if (String(c.bundle).startsWith(`${stateDir}/`)) execFileSync("runc", ["delete", "--force", c.id]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
