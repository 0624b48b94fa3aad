// Small helpers shared by the phases of the sessions benchmark.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { ratio, round, roundSummary, summarize } from "../lib/stats";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const msg = (err: unknown) => (err instanceof Error ? err.message : String(err));
export const checkAborted = (signal?: AbortSignal) => {
  if (signal?.aborted) throw new Error("interrupted");
};

/** MemAvailable from /proc/meminfo, in bytes. */
export function memAvailable(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The median of 5 MemAvailable samples over ~1 s (it jumps with whatever else the host does). */
export async function memAvailableSampled(): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    if (i) await sleep(250);
    samples.push(memAvailable());
  }
  return samples.sort((a, b) => a - b)[2];
}

/** Runs `fn` over items with at most `limit` at a time. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

export const ms = (s: ReturnType<typeof summarize>) => roundSummary(s, 1);
export const r3 = (a: number, b: number) => round(ratio(a, b) ?? NaN, 3);

/** Runs a shell pipeline (for the raw tar | zstd baseline) and rejects on failure. */
export function sh(script: string, timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${script.slice(0, 80)}… exited ${code}: ${stderr.slice(-300)}`));
    });
  });
}

type Percentiles = { p50: number; p99: number };

/** p50/p99 ratios between the three tiers (API, backend, raw runc) of one measurement. */
export function threeTierRatios(api: Percentiles, backend: Percentiles, raw: Percentiles) {
  const pair = (a: Percentiles, b: Percentiles) => ({ p50: r3(a.p50, b.p50), p99: r3(a.p99, b.p99) });
  return { apiOverRaw: pair(api, raw), backendOverRaw: pair(backend, raw), apiOverBackend: pair(api, backend) };
}
