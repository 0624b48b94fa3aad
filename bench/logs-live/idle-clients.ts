// The idle-clients phase of logs-live (memory per idle SSE client, against the bare node:http SSE
// server in the same run) without the runner and sandboxes the full benchmark starts: the sessions
// are rows written straight into the bench database (an idle log stream reads only the session row
// and its log). Each run gets a fresh server, since the figure is RSS after minus before without a
// forced GC and a second run on the same server measures what the first left behind.
// With --heap, the server also writes a heap snapshot before and after the clients connect, and
// the live objects that grew are printed per client (a snapshot forces a full GC first, so this
// is what each client holds, apart from garbage not yet collected).
// Usage: npx tsx bench/logs-live/idle-clients.ts [clients=1000] [runs=1] [--heap]
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrapTenant, startBenchDatabase } from "../lib/database";
import { diffHeap, summarizeHeapSnapshot } from "../lib/heap-snapshot";
import { openMany, openSse } from "../lib/sse-client";
import { ensureProductionBuild, startNextServer } from "../lib/server";
import { phaseIdleClients } from "./clients";
import { sleep } from "./context";
import { logsLiveParams } from "./params";

async function snapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
    if (!file) continue;
    const full = path.join(dir, file);
    const size = statSync(full).size;
    await sleep(1000);
    if (statSync(full).size === size && size > 0) return full;
  }
  throw new Error("no heap snapshot");
}

async function main() {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const heap = process.argv.includes("--heap");
  const clients = Number(args[0] ?? 1000);
  const runs = Number(args[1] ?? 1);
  await ensureProductionBuild(console.log);
  const database = await startBenchDatabase();
  try {
    const { tenant: slug, apiKey } = await bootstrapTenant(database.url);
    process.env.DATABASE_URL = database.url;
    const { db } = await import("../../lib/db/client");
    const { tenantDb } = await import("../../lib/db/tenant-scope");
    const { newId } = await import("../../lib/ids");
    const tenant = await db().tenant.findUniqueOrThrow({ where: { slug } });
    const sessions: string[] = [];
    for (let i = 0; i < 10; i++) {
      const s = await tenantDb(tenant.id).session.create({
        data: { id: newId("ses"), tenantId: tenant.id, templateName: "bench", rootfs: {}, vcpu: 0.25, memoryMib: 256, diskMib: 1024, maxLifetimeSeconds: 3600, state: "running" },
      });
      sessions.push(s.id);
    }
    const env = { DATABASE_URL: database.url, AUTH_SECRET: randomBytes(32).toString("base64url"), RUNNER_SECRET: randomBytes(32).toString("base64url"), DATA_DIR: database.dataDir, API_RATE_LIMIT_PER_MINUTE: "100000000" };
    for (let r = 0; r < runs; r++) {
      const snapDir = mkdtempSync(path.join(os.tmpdir(), "burrow-heap-"));
      const server = await startNextServer({ env, nodeArgs: heap ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapDir}`] : [] });
      try {
        const ctx = { serverUrl: server.url, apiKey, tenantId: tenant.id, sessions, serverPid: server.pid, notices: null as never, log: console.log, signal: new AbortController().signal };
        if (!heap) {
          const result = await phaseIdleClients(ctx, { ...logsLiveParams(), clients });
          console.log(JSON.stringify({ run: r + 1, loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100), ...result }));
          continue;
        }
        const path_ = (i: number) => `/api/v1/sessions/${sessions[i % sessions.length]}/logs?tail=1`;
        const warm = await openMany(20, 10, (i) => openSse({ baseUrl: server.url, path: path_(i), apiKey }));
        warm.forEach((c) => c.close());
        await sleep(2000);
        const before = summarizeHeapSnapshot(await snapshot(server.pid, snapDir));
        const open = await openMany(clients, 32, (i) => openSse({ baseUrl: server.url, path: path_(i), apiKey }));
        await sleep(3000);
        const after = summarizeHeapSnapshot(await snapshot(server.pid, snapDir));
        console.log(`live heap ${(before.totalBytes / 1048576).toFixed(1)} → ${(after.totalBytes / 1048576).toFixed(1)} MiB = ${((after.totalBytes - before.totalBytes) / clients / 1024).toFixed(1)} KiB per client`);
        for (const row of diffHeap(before.byName, after.byName, clients, 40)) console.log(`${String(row.bytesPer).padStart(7)} B ${String(row.countPer).padStart(6)}×  ${row.name}`);
        open.forEach((c) => c.close());
      } finally {
        await server.stop();
      }
    }
  } finally {
    const { disconnectDb } = await import("../../lib/db/client");
    await disconnectDb();
    await database.stop();
  }
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
