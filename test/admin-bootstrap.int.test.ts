import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/v1/me/route";
import { bootstrap } from "@/lib/admin/bootstrap";
import { SCOPES } from "@/lib/auth/scopes";
import { db } from "@/lib/db/client";
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
