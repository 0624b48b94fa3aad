// With the database down the API answers 503 with Retry-After (never a hang or a 500), and it
// recovers by itself when the database is back. Uses its own Postgres so it can stop it.
import { describe, expect, it } from "vitest";
import * as healthRoute from "@/app/api/health/route";
import * as meRoute from "@/app/api/v1/me/route";
import { call, createTestTenant } from "./helpers";
import { useOwnPostgres } from "./own-postgres";

const ownPostgres = useOwnPostgres("burrow-down-");

describe("database outage", () => {
  it("answers 503 with Retry-After while down and recovers when it is back", async () => {
    const t = await createTestTenant();
    expect((await call(meRoute.GET, { path: "/api/v1/me", key: t.key })).status).toBe(200);
    expect(await (await healthRoute.GET()).json()).toEqual({ status: "ok", db: "ok" });

    await ownPostgres.stop();
    const down = await call(meRoute.GET, { path: "/api/v1/me", key: t.key });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("unavailable");
    expect(down.headers.get("retry-after")).toBe("5");
    const health = await healthRoute.GET();
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "degraded", db: "unavailable" });

    await ownPostgres.restart();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await call(meRoute.GET, { path: "/api/v1/me", key: t.key })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
