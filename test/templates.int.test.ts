import { describe, expect, it } from "vitest";
import * as templateRoute from "@/app/api/v1/templates/[id]/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import { call, createKey, createTestTenant } from "./helpers";

describe("templates", () => {
  it("lists the built-in base, creates, reads, changes and deletes a tenant template", async () => {
    const t = await createTestTenant();
    const list = await call(templatesRoute.GET, { path: "/api/v1/templates", key: t.key });
    expect(list.body.data[0]).toMatchObject({ name: "base", builtIn: true, rootfs: { kind: "host" } });
    const created = await call(templatesRoute.POST, {
      method: "POST", path: "/api/v1/templates", key: t.key,
      body: { name: "py", vcpu: 2, memoryMib: 1024, env: { LANG: "C.UTF-8" }, idle: { pauseAfterSeconds: 60, hibernateAfterSeconds: null } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "py", builtIn: false, resources: { vcpu: 2, memoryMib: 1024 }, idle: { pauseAfterSeconds: 60, hibernateAfterSeconds: null } });
    const id = created.body.id;
    const patched = await call(templateRoute.PATCH, { method: "PATCH", path: `/api/v1/templates/${id}`, key: t.key, params: { id }, body: { vcpu: 4 } });
    expect(patched.body.resources.vcpu).toBe(4);
    const byName = await call(templateRoute.GET, { path: "/api/v1/templates/py", key: t.key, params: { id: "py" } });
    expect(byName.body.id).toBe(id);
    const dup = await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: t.key, body: { name: "py" } });
    expect(dup.status).toBe(409);
    expect((await call(templateRoute.DELETE, { method: "DELETE", path: `/api/v1/templates/${id}`, key: t.key, params: { id } })).status).toBe(200);
    expect((await call(templateRoute.GET, { path: `/api/v1/templates/${id}`, key: t.key, params: { id } })).status).toBe(404);
  });

  it("refuses changing the built-in template, bad input, and writes without admin", async () => {
    const t = await createTestTenant();
    expect((await call(templateRoute.PATCH, { method: "PATCH", path: "/api/v1/templates/base", key: t.key, params: { id: "base" }, body: { vcpu: 2 } })).status).toBe(409);
    for (const body of [{ name: "base" }, { name: "Bad Name" }, { name: "x", vcpu: 0 }, { name: "x", extra: 1 }]) {
      expect((await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: t.key, body })).status).toBe(400);
    }
    const reader = await createKey(t.id, ["sessions:read"]);
    expect((await call(templatesRoute.GET, { path: "/api/v1/templates", key: reader.secret })).status).toBe(200);
    expect((await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: reader.secret, body: { name: "x" } })).status).toBe(403);
  });
});
