// Parameters of the sessions benchmark; the knobs are optional environment variables, clamped.
import { knob as clampedKnob } from "../lib/knob";
export type SessionsTarget = { serverUrl: string; databaseUrl: string; apiKey: string; tenant: string; runnerSecret: string; nextBuildId: string };
export type Log = (msg: string) => void;

const knob = (name: string, fallback: number, min: number, max: number) => clampedKnob(name, fallback, min, max, { integer: true });

export function sessionsParams() {
  return {
    /** A: create → first exec runs per tier (the issue: 200). */
    latencyRuns: knob("BENCH_SESSIONS_RUNS", 200, 3, 500),
    latencyBudgetMs: 100_000,
    /** A, warm-pool tier: the bench runner keeps this many started sandboxes (WARM_POOL); 0: no warm tier. */
    warmPoolSize: knob("BENCH_SESSIONS_WARM_POOL", 2, 0, 16),
    /** The warm tier's memory: apart from memoryMib, so the cold tier's creates never match the pool. */
    warmMemoryMib: 96,
    /** B: closed loop. */
    sustainedConcurrency: knob("BENCH_SESSIONS_SUSTAINED_C", 4, 1, 16),
    sustainedMs: knob("BENCH_SESSIONS_SUSTAINED_S", 30, 5, 120) * 1000,
    sustainedRawMs: 10_000,
    /** C: simultaneous creates (the issue: 100). */
    burst: knob("BENCH_SESSIONS_BURST", 100, 1, 200),
    /** D: exec round trips per tier (the issue: ~200). */
    execRuns: knob("BENCH_SESSIONS_EXEC_RUNS", 200, 10, 1000),
    execBudgetMs: 60_000,
    /** E: the hibernated workspace. */
    workspaceFiles: 10_000,
    workspaceMiB: knob("BENCH_SESSIONS_WORKSPACE_MB", 100, 1, 1000),
    /** F: sandboxes measured for memory. */
    memorySessions: knob("BENCH_SESSIONS_MEMORY_K", 10, 1, 50),
    /** Memory limit of the small sandboxes (A–D, F); the hibernate session gets more for its files. */
    memoryMib: 64,
    hibernateMemoryMib: 1024,
    vcpu: 1,
    /** What the runner offers and the tenant may use: far beyond the burst, so neither limits it. */
    runnerVcpu: 1000,
    runnerMemoryMib: 1_000_000,
    pollMs: 20,
    /** BENCH_SESSIONS_ONLY=burst,memory runs only those phases (for trying things out). */
    onlyPhases: (process.env.BENCH_SESSIONS_ONLY ?? "").split(",").map((x) => x.trim()).filter(Boolean),
  };
}
export type SessionsParams = ReturnType<typeof sessionsParams>;
