// Medians of the backend's operations against real runc (not a test; run as root):
//   npx tsx test/sandbox/measure-sandbox-timings.ts [rounds=20]
// Also the promptness the lifecycle tests check only for correctness: an exec returning while a
// background process holds its output, the overshoot of an exec's timeout kill (duration − timeout)
// and an exec refused on a paused sandbox.
// Uses its own temp state dir and removes every sandbox, mount and file it made, also on failure.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRuncBackend } from "../../lib/sandbox";
import { unmountAllUnder } from "../../lib/sandbox/overlay-mount";

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 20) || 20, 1), 200);
const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-sandbox-timings-"));
const backend = createRuncBackend({ stateDir });
const samples: Record<string, number[]> = {
  create: [], "exec true": [], "exec bg": [], "kill late": [], pause: [], "refuse": [], resume: [], destroy: [],
};
const TIMEOUT_MS = 200;

async function timed(name: string, fn: () => Promise<unknown>) {
  const t = performance.now();
  await fn();
  samples[name].push(performance.now() - t);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  // One warm-up round builds the shared template layers, which later creates reuse.
  for (let i = 0; i <= rounds; i++) {
    const id = `ses_TIMING${i}`;
    const spec = { id, rootfs: { kind: "host" as const }, resources: { vcpu: 1, memoryMib: 256 }, env: {} };
    try {
      if (i === 0) {
        await backend.create(spec);
        await backend.exec(id, { command: ["true"] });
        continue;
      }
      await timed("create", () => backend.create(spec));
      await timed("exec true", () => backend.exec(id, { command: ["true"] }));
      await timed("exec bg", () => backend.exec(id, { command: ["sh", "-c", "sleep 30 & echo started"], timeoutMs: 20_000 }));
      const killed = await backend.exec(id, { command: ["sh", "-c", "sleep 1000 & sleep 1001"], timeoutMs: TIMEOUT_MS });
      samples["kill late"].push(killed.durationMs - TIMEOUT_MS);
      await timed("pause", () => backend.pause(id));
      await timed("refuse", () => backend.exec(id, { command: ["true"], timeoutMs: 10_000 }).then(() => { throw new Error("exec ran on a paused sandbox"); }, () => {}));
      await timed("resume", () => backend.resume(id));
      await timed("destroy", () => backend.destroy(id));
    } finally {
      await backend.destroy(id).catch(() => {});
    }
  }
  for (const [name, xs] of Object.entries(samples)) {
    console.log(`${name.padEnd(10)} median ${median(xs).toFixed(1)} ms  (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`);
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await unmountAllUnder(stateDir).catch((e: Error) => console.error(e.message));
    rmSync(stateDir, { recursive: true, force: true });
  });
