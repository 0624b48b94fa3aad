// The runner's heartbeat, on a thread and a database connection of its own: a long task on the
// runner's event loop or a pool full of reconcile work cannot delay it (a busy runner once missed
// enough beats to be declared lost with all its sessions). The beat is fenced by the runner's epoch:
// once the row has a newer epoch (another registration) or says `lost`, beats stop landing and
// the runner is told, instead of a stale process keeping a row alive that is no longer its own.
// A main thread that has not ticked for MAIN_STALL_LIMIT_MS (far longer than any task of a busy
// runner) is wedged, not busy: beats are withheld then, so a hung runner is still declared lost.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { HEARTBEAT_INTERVAL_MS } from "./liveness";

export type HeartbeatEvent = { type: "fenced" } | { type: "error"; message: string };

export const MAIN_STALL_LIMIT_MS = 60_000;
const MAIN_TICK_MS = 1_000;

export type HeartbeatThread = { setEpoch: (epoch: number) => void; stop: () => Promise<void> };

// Plain JavaScript, so the thread needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const pg = require(workerData.pgPath);
let epoch = workerData.epoch;
let client = null;
let busy = false;
let fenced = false;
let mainTickAt = Date.now();
let withheld = false;
parentPort.on("message", (m) => {
  if (m.type === "epoch") { epoch = m.epoch; fenced = false; }
  if (m.type === "tick") mainTickAt = Date.now();
});
async function beat() {
  if (busy || fenced) return;
  const stalled = Date.now() - mainTickAt > workerData.stallLimitMs;
  if (stalled !== withheld) {
    withheld = stalled;
    parentPort.postMessage({ type: "error", message: stalled ? "main thread unresponsive; heartbeats withheld" : "main thread responsive again; heartbeats resumed" });
  }
  if (stalled) return;
  busy = true;
  try {
    if (!client) {
      const c = new pg.Client({ connectionString: workerData.url, connectionTimeoutMillis: workerData.intervalMs * 2, query_timeout: workerData.intervalMs * 2 });
      c.on("error", () => {});
      await c.connect();
      client = c;
    }
    const res = await client.query(
      "UPDATE runners SET last_heartbeat_at = $3, status = 'online' WHERE id = $1 AND epoch = $2 AND status <> 'lost'",
      [workerData.runnerId, epoch, new Date()],
    );
    if (res.rowCount === 0) { fenced = true; parentPort.postMessage({ type: "fenced" }); }
  } catch (err) {
    const c = client;
    client = null;
    if (c) c.end().catch(() => {});
    parentPort.postMessage({ type: "error", message: String(err && err.message || err) });
  } finally {
    busy = false;
  }
}
const timer = setInterval(beat, workerData.intervalMs);
parentPort.on("message", (m) => { if (m.type === "stop") { clearInterval(timer); (client ? client.end() : Promise.resolve()).catch(() => {}).finally(() => process.exit(0)); } });
beat();
`;

export function startHeartbeatThread(opts: {
  databaseUrl: string;
  runnerId: string;
  epoch: number;
  onEvent: (event: HeartbeatEvent) => void;
  intervalMs?: number;
  stallLimitMs?: number;
}): HeartbeatThread {
  const pgPath = createRequire(import.meta.url).resolve("pg");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgPath, url: opts.databaseUrl, runnerId: opts.runnerId, epoch: opts.epoch,
      intervalMs: opts.intervalMs ?? HEARTBEAT_INTERVAL_MS, stallLimitMs: opts.stallLimitMs ?? MAIN_STALL_LIMIT_MS,
    },
  });
  // The main thread's sign of life; it stops while the main thread is stuck in a task.
  const tick = setInterval(() => worker.postMessage({ type: "tick" }), MAIN_TICK_MS);
  tick.unref();
  worker.on("message", (m: HeartbeatEvent) => opts.onEvent(m));
  worker.on("error", (e) => opts.onEvent({ type: "error", message: `heartbeat thread: ${e.message}` }));
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    setEpoch: (epoch) => worker.postMessage({ type: "epoch", epoch }),
    stop: async () => {
      clearInterval(tick);
      worker.postMessage({ type: "stop" });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      await worker.terminate().catch(() => 0);
    },
  };
}
