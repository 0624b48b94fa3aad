// Hibernate and wake through the API with two real runners sharing one snapshot store: a wake on
// the runner that hibernated the session remounts its hibernate cache (no restore), a wake on the
// other restores from the store, a cache made stale by a later snapshot elsewhere is not used, a
// deleted or damaged cache falls back to the store, and a terminated session's cache is swept.
import { existsSync, mkdirSync, rmSync, symlinkSync, appendFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { sweepHibernateCaches } from "@/lib/runners/hibernate-cache";
import { createRuncBackend } from "@/lib/sandbox";
import { CACHE_MARKER } from "@/lib/sandbox/hibernate-cache";
import { call, createTestTenant, type TestTenant, uniqueSlug } from "./helpers";
import { removeDataDir, startRunner, terminateAllSessions, type TestRunner, waitForSessionState } from "./runner-process";

let a: TestRunner;
let b: TestRunner;
let tenant: TestTenant;
const pool = uniqueSlug("pool");

beforeAll(async () => {
  a = await startRunner({ pool, vcpu: 16 });
  // B's snapshot store is A's: a wake may land on either runner, as with S3.
  const bData = path.join(a.dataDir, "..", `${path.basename(a.dataDir)}-b`);
  mkdirSync(bData, { recursive: true });
  mkdirSync(path.join(a.dataDir, "snapshots"), { recursive: true });
  symlinkSync(path.join(a.dataDir, "snapshots"), path.join(bData, "snapshots"));
  b = await startRunner({ pool, vcpu: 8, dataDir: bData });
  tenant = await createTestTenant();
}, 90_000);
afterAll(async () => {
  await terminateAllSessions(tenant);
  for (const r of [a, b]) {
    if (!r) continue;
    await r.stop();
    removeDataDir(r.dataDir);
  }
});

const exec = (id: string, script: string) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: tenant.key, params: { id }, body: { command: ["sh", "-c", script], timeoutMs: 60_000 } });
const LISTING = "cd /workspace && find . -printf '%p %y %s %m %U:%G %l\\n' | sort && find . -type f -exec md5sum {} + | sort && cat /root/home.txt";
const cacheDir = (r: TestRunner, id: string) => path.join(r.dataDir, "sandboxes", id);

async function hibernate(id: string, on: TestRunner) {
  const res = await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: tenant.key, params: { id } });
  expect(res.status).toBe(200);
  const row = await waitForSessionState(on, id, "hibernated", 60_000);
  // The cache is made right after the transition: wait for its marker (bounded).
  for (let i = 0; i < 100 && !existsSync(path.join(cacheDir(on, id), CACHE_MARKER)); i++) await new Promise((r) => setTimeout(r, 50));
  return row;
}

/** Wakes with an exec of the listing; the wake's event detail says whether the cache was used. */
async function wakeAndList(id: string) {
  const res = await exec(id, LISTING);
  expect(res.body.exitCode, JSON.stringify(res.body)).toBe(0);
  const wake = await db().sessionEvent.findFirst({ where: { sessionId: id, toState: "running", cause: "wake" }, orderBy: { createdAt: "desc" } });
  const row = await db().session.findUniqueOrThrow({ where: { id } });
  return { listing: res.body.stdout as string, cache: (wake?.detail as { hibernateCache?: string }).hibernateCache ?? null, runnerId: row.runnerId };
}

async function newSessionWithFiles() {
  const res = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: tenant.key, body: { pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  const made = await exec(id, [
    "mkdir -p /workspace/src/deep && printf 'hello' > /workspace/src/a.txt && ln /workspace/src/a.txt /workspace/src/hard",
    "ln -s a.txt /workspace/src/link && chmod 0640 /workspace/src/a.txt && head -c 300000 /dev/urandom > /workspace/src/deep/rand.bin",
    "truncate -s 10M /workspace/sparse && echo home > /root/home.txt",
  ].join(" && "));
  expect(made.body.exitCode).toBe(0);
  const listing = (await exec(id, LISTING)).body.stdout as string;
  const row = await db().session.findUniqueOrThrow({ where: { id } });
  expect(row.runnerId).toBe(a.id);
  return { id, listing };
}

describe("the hibernate cache through the API, with two runners", () => {
  it("wakes on the same runner from the cache, on another from the store; a stale cache is not used", async () => {
    const { id, listing } = await newSessionWithFiles();
    const first = await hibernate(id, a);
    expect(first.cacheRunnerId).toBe(a.id);
    expect(existsSync(path.join(cacheDir(a, id), CACHE_MARKER))).toBe(true);

    const same = await wakeAndList(id);
    expect(same).toMatchObject({ cache: "hit", runnerId: a.id });
    expect(same.listing).toBe(listing);
    expect(a.output()).toContain(`session ${id}: woken from its hibernate cache`);
    expect(existsSync(path.join(cacheDir(a, id), CACHE_MARKER))).toBe(false);

    // Hibernated on A again, woken on B (as if A were full): restored from the store.
    await hibernate(id, a);
    await db().session.update({ where: { id }, data: { cacheRunnerId: b.id } });
    const elsewhere = await wakeAndList(id);
    expect(elsewhere).toMatchObject({ cache: null, runnerId: b.id });
    expect(elsewhere.listing).toBe(listing);

    // A newer snapshot made on B: A's cache (of the older one) is stale and must not be used.
    expect((await exec(id, "echo changed-on-b > /workspace/src/a.txt")).body.exitCode).toBe(0);
    const changed = (await exec(id, LISTING)).body.stdout as string;
    await hibernate(id, b);
    expect(existsSync(path.join(cacheDir(a, id), CACHE_MARKER))).toBe(true);
    await db().session.update({ where: { id }, data: { cacheRunnerId: a.id } });
    const stale = await wakeAndList(id);
    expect(stale).toMatchObject({ cache: "stale", runnerId: a.id });
    expect(stale.listing).toBe(changed);
    expect(stale.listing).toContain("./src/a.txt f 13 ");
  }, 180_000);

  it("falls back to the store when the cache was deleted or damaged", async () => {
    const { id, listing } = await newSessionWithFiles();
    await hibernate(id, a);
    rmSync(path.join(cacheDir(a, id), CACHE_MARKER)); // files without a marker: not a cache (quarantined)
    expect(await wakeAndList(id)).toMatchObject({ cache: "missing", runnerId: a.id, listing });

    await hibernate(id, a);
    rmSync(cacheDir(a, id), { recursive: true, force: true });
    expect(await wakeAndList(id)).toMatchObject({ cache: null, runnerId: a.id, listing });

    await hibernate(id, a);
    appendFileSync(path.join(cacheDir(a, id), "disk.img"), Buffer.alloc(4096, 7));
    expect(await wakeAndList(id)).toMatchObject({ cache: "damaged", runnerId: a.id, listing });
  }, 180_000);

  it("removes a terminated session's cache in the sweep", async () => {
    const { id } = await newSessionWithFiles();
    await hibernate(id, a);
    expect(existsSync(cacheDir(a, id))).toBe(true);
    await db().session.update({ where: { id }, data: { state: "terminated", desiredState: "terminated", terminatedAt: new Date() } });
    // The sweep the runner runs every 30 s, on A's state dir.
    const backend = createRuncBackend({ stateDir: path.join(a.dataDir, "sandboxes") });
    await sweepHibernateCaches(backend, new Set());
    expect(existsSync(cacheDir(a, id))).toBe(false);
  }, 120_000);
});
