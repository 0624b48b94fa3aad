// With the database down the API answers 503 with Retry-After (never a hang or a 500), and it
// recovers by itself when the database is back. Uses its own Postgres so it can stop it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as healthRoute from "@/app/api/health/route";
import * as meRoute from "@/app/api/v1/me/route";
import { disconnectDb } from "@/lib/db/client";
import { type RunningPostgres, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations } from "@/lib/db/migrate";
import { call, createTestTenant } from "./helpers";

let pgServer: RunningPostgres;
let dataDir: string;
const sharedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "burrow-down-"));
  pgServer = await startEmbeddedPostgres({ dataDir });
  await applyMigrations(pgServer.url);
  await disconnectDb();
  process.env.DATABASE_URL = pgServer.url;
});

afterAll(async () => {
  await disconnectDb();
  process.env.DATABASE_URL = sharedUrl;
  await pgServer.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("database outage", () => {
  it("answers 503 with Retry-After while down and recovers when it is back", async () => {
    const t = await createTestTenant();
    expect((await call(meRoute.GET, { path: "/api/v1/me", key: t.key })).status).toBe(200);
    expect(await (await healthRoute.GET()).json()).toEqual({ status: "ok", db: "ok" });

    await pgServer.stop();
    const down = await call(meRoute.GET, { path: "/api/v1/me", key: t.key });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("unavailable");
    expect(down.headers.get("retry-after")).toBe("5");
    const health = await healthRoute.GET();
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "degraded", db: "unavailable" });

    const port = new URL(pgServer.url).port;
    pgServer = await startEmbeddedPostgres({ dataDir, port: Number(port) });
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await call(meRoute.GET, { path: "/api/v1/me", key: t.key })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
