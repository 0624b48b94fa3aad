// GET /api/v1/runners is a tenant's view of shared infrastructure: capacity, load and health. The
// runners' internal addresses and host details (a runtime's version) are not in it: operators see
// them with `npm run admin -- runners` (listRunners({ internal: true })).
import { describe, expect, it } from "vitest";
import * as runnersRoute from "@/app/api/v1/runners/route";
import { registerRunner, listRunners } from "@/lib/runners/runner-registry";
import { runnerListSchema } from "@/lib/runners/schemas";
import { call, createTestTenant, uniqueSlug } from "./helpers";

async function internalRunner() {
  return registerRunner({
    name: uniqueSlug("runner"), address: "http://10.1.2.3:7070", backend: "test", vcpu: 4, memoryMib: 4096, gpus: 0,
    labels: { pool: uniqueSlug("pool") }, capabilities: { memorySnapshots: false, runtime: "runc", runtimeVersion: "runc version 1.1.12", kernel: "6.1.0-host" },
  });
}

describe("GET /api/v1/runners", () => {
  it("shows a tenant capacity and health, never an address or host details", async () => {
    const runner = await internalRunner();
    const t = await createTestTenant();
    const res = await call(runnersRoute.GET, { path: "/api/v1/runners", key: t.key });
    expect(res.status).toBe(200);
    expect(runnerListSchema.strict().safeParse(res.body).success).toBe(true);
    const shown = res.body.data.find((r: { id: string }) => r.id === runner.id);
    expect(shown).toMatchObject({ name: runner.name, status: "online", capacity: { vcpu: 4, memoryMib: 4096 }, capabilities: { memorySnapshots: false, runtime: "runc" } });
    expect(Object.keys(shown).sort()).toEqual(["backend", "capabilities", "capacity", "id", "labels", "lastHeartbeatAt", "name", "startedAt", "status", "unhealthyReason", "used"]);
    expect(Object.keys(shown.capabilities).sort()).toEqual(["memorySnapshots", "runtime"]);
    expect(JSON.stringify(res.body)).not.toContain("10.1.2.3");
    expect(JSON.stringify(res.body)).not.toContain("runc version");
  });

  it("gives operators the address and every capability", async () => {
    const runner = await internalRunner();
    const all = await listRunners({ internal: true });
    expect(all.find((r) => r.id === runner.id)).toMatchObject({ address: "http://10.1.2.3:7070", capabilities: { runtimeVersion: "runc version 1.1.12", kernel: "6.1.0-host" } });
  });
});
