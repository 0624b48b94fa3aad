import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/v1/me/route";
import { bootstrap } from "@/lib/admin/bootstrap";
import { SCOPES } from "@/lib/auth/scopes";
import { db } from "@/lib/db/client";
import { recordRunningInstance } from "@/lib/db/running-instances";
import { call, uniqueSlug } from "./helpers";

describe("admin bootstrap", () => {
  it("creates, then reuses, the user and tenant, each time with a new all-scopes key", async () => {
    const slug = uniqueSlug("boot");
    const input = { email: `${slug}@example.test`, password: "bootstrap password", tenant: slug };
    const first = await bootstrap(input);
    const second = await bootstrap(input);
    expect(first.tenant).toBe(slug);
    expect(second.apiKey).not.toBe(first.apiKey);
    expect(await db().tenant.count({ where: { slug } })).toBe(1);
    expect(await db().user.count({ where: { email: input.email } })).toBe(1);
    for (const key of [first.apiKey, second.apiKey]) {
      const me = await call(meRoute.GET, { path: "/api/v1/me", key });
      expect(me.body).toMatchObject({ tenant: { slug }, scopes: [...SCOPES] });
    }
  });
});

describe("npm run admin: which database", () => {
  const execFileAsync = promisify(execFile);
  /** Runs the admin command as an operator would in another shell: no DATABASE_URL, its own DATA_DIR. */
  async function admin(env: { dataDir: string; instancesDir: string }, ...args: string[]) {
    const { DATABASE_URL: _ours, ...rest } = process.env;
    return execFileAsync("npx", ["tsx", "scripts/admin.ts", ...args], { env: { ...rest, DATA_DIR: env.dataDir, BURROW_INSTANCES_DIR: env.instancesDir }, timeout: 60_000 })
      .then((r) => ({ code: 0, ...r }), (err: { code: number; stdout: string; stderr: string }) => err);
  }
  /** A Burrow "running" as this test process, whose DATA_DIR names the test database as its embedded one. */
  function fakeRunningBurrow(instancesDir: string, port: number, pid = process.pid) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "burrow-running-"));
    writeFileSync(path.join(dataDir, "postgres.json"), JSON.stringify({ url: process.env.DATABASE_URL, pid: process.pid }));
    recordRunningInstance(instancesDir, { pid, port, dataDir, embeddedDatabase: true });
    return dataDir;
  }
  const emptyDirs = () => ({ dataDir: mkdtempSync(path.join(os.tmpdir(), "burrow-admin-data-")), instancesDir: mkdtempSync(path.join(os.tmpdir(), "burrow-instances-")) });

  it("refuses when DATA_DIR holds no database and no Burrow runs, and creates none", { timeout: 120_000 }, async () => {
    const dirs = emptyDirs();
    const result = await admin(dirs, "runners");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No Burrow database under ${dirs.dataDir}, and no Burrow is running on this host. Start Burrow first (npm start)`);
    expect(readdirSync(dirs.dataDir)).toEqual([]);
  });

  it("uses the database of the one Burrow running elsewhere, and says so", { timeout: 120_000 }, async () => {
    const dirs = emptyDirs();
    const runningDataDir = fakeRunningBurrow(dirs.instancesDir, 3999);
    const slug = uniqueSlug("found");
    const result = await admin(dirs, "bootstrap", "--email", `${slug}@example.test`, "--password", "bootstrap password", "--tenant", slug);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`using that of the Burrow running on port 3999 (DATA_DIR=${runningDataDir})`);
    expect(await db().tenant.count({ where: { slug } })).toBe(1);
    expect(readdirSync(dirs.dataDir)).toEqual([]);
  });

  it("asks which when several run, and forgets records of processes that are gone", { timeout: 120_000 }, async () => {
    const dirs = emptyDirs();
    const a = fakeRunningBurrow(dirs.instancesDir, 3998);
    const b = fakeRunningBurrow(dirs.instancesDir, 3997, process.ppid);
    fakeRunningBurrow(dirs.instancesDir, 3996, 2 ** 22 + 1); // above pid_max: never a live process
    const result = await admin(dirs, "runners");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`2 Burrows are running on this host: port 3997 (DATA_DIR=${b}); port 3998 (DATA_DIR=${a}). Say which`);
    expect(readdirSync(dirs.instancesDir).sort()).toEqual([`${process.pid}.json`, `${process.ppid}.json`].sort());
  });
});
