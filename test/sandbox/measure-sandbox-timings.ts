// Medians of the backend's operations against real runc (not a test; run as root):
//   npx tsx test/sandbox/measure-sandbox-timings.ts [rounds=20]
// Also the promptness the lifecycle tests check only for correctness: an exec returning while a
// background process holds its output, the overshoot of an exec's timeout kill (duration − timeout)
// and an exec refused on a paused sandbox.
// Then exec `true` three ways into one sandbox, interleaved so load noise hits all alike: through
// the exec agent (the default), through `runc exec` (the same backend code with the agent off),
// and a bare `runc exec <container> true` (no Burrow code): p50 and p99 of each.
// Uses its own temp state dir and removes every sandbox, mount and file it made, also on failure.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRuncBackend } from "../../lib/sandbox";
import { unmountAllUnder } from "../../lib/sandbox/overlay-mount";

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 20) || 20, 1), 200);
const stateDir = mkdtempSync(path.join(os.tmpdir(), "burrow-sandbox-timings-"));
const backend = createRuncBackend({ stateDir });
/** The same sandboxes with every exec through `runc exec` (SANDBOX_EXEC_AGENT=off). */
const viaRunc = createRuncBackend({ stateDir, execAgent: false });
const EXEC_ROUNDS = Math.min(rounds * 10, 1000);
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
const percentile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];

const rawRuncExec = (containerId: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn("runc", ["exec", containerId, "true"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`runc exec: exit ${code}`))));
  });

/** exec `true` through the agent, through runc exec, and bare runc, in turn, EXEC_ROUNDS times each. */
async function execPaths() {
  const id = "ses_TIMINGEXEC";
  const ways: Record<string, () => Promise<unknown>> = {
    agent: () => backend.exec(id, { command: ["true"] }).then((r) => { if (r.exitCode !== 0) throw new Error("exec true failed"); }),
    "runc exec": () => viaRunc.exec(id, { command: ["true"] }).then((r) => { if (r.exitCode !== 0) throw new Error("exec true failed"); }),
    "raw runc": () => rawRuncExec(`burrow-${id}`),
  };
  const times: Record<string, number[]> = { agent: [], "runc exec": [], "raw runc": [] };
  try {
    await backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu: 1, memoryMib: 256 }, env: {} });
    for (const run of Object.values(ways)) await run(); // warm-up
    for (let i = 0; i < EXEC_ROUNDS; i++) {
      for (const [name, run] of Object.entries(ways)) {
        const t = performance.now();
        await run();
        times[name].push(performance.now() - t);
      }
    }
  } finally {
    await backend.destroy(id).catch(() => {});
  }
  console.log(`exec true, ${EXEC_ROUNDS} rounds interleaved:`);
  for (const [name, xs] of Object.entries(times)) {
    console.log(`  ${name.padEnd(10)} p50 ${percentile(xs, 0.5).toFixed(1)} ms  p99 ${percentile(xs, 0.99).toFixed(1)} ms  (min ${Math.min(...xs).toFixed(1)})`);
  }
}

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
  await execPaths();
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
