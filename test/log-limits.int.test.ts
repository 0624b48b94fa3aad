// Per-session log limits on a real runner with real runc: a tenant on a plan with small limits runs
// an exec printing far more than they allow. The log keeps at most the limits' worth of rows, and
// the markers say exactly how many lines and bytes were dropped; the exec and its caller's output
// are not cut short by them.
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { LOG_LINE_CHARGE_BYTES } from "@/lib/logs/log-limiter";
import { call, uniqueSlug } from "./helpers";
import { useRunnerAndTenant } from "./runner-process";

const env = useRunnerAndTenant();
const MARKER = /^\[burrow\] (\d+) lines? \((\d+) bytes?\) dropped: (.*)$/;

describe("session log limits", () => {
  it("an exec printing 10 MB leaves at most the plan's bytes in the log, and exact drop markers", async () => {
    // A plan of this test's own (plans are global rows): 50 KB/s with 500 KB of burst, 800 KB in total.
    const planId = uniqueSlug("plan-logs");
    await db().plan.create({
      data: { id: planId, name: planId, monthlyFeeCents: 0, maxRunningSessions: 5, maxVcpu: 8, maxMemoryMib: 8192, maxSnapshotBytes: 10n ** 10n, maxLifetimeSeconds: 86_400, logBytesPerSecond: 50_000, logMaxBytes: 800_000n, sortOrder: 100 },
    });
    await db().tenantBilling.create({ data: { tenantId: env.tenant.id, planId } });
    const created = await call(sessionsRoute.POST, {
      method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // 20,000 lines of 500 bytes (plus the newline): 10 MB, 20 times the total.
    const res = await call(execRoute.POST, {
      method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id },
      body: { command: ["python3", "-c", "import sys\nfor i in range(20000): sys.stdout.write('%06d %s\\n' % (i, 'x' * 493))"], timeoutMs: 120_000 },
    });
    expect(res.body).toMatchObject({ exitCode: 0, truncated: true });
    // The caller's answer is not limited by the log limits (only by the exec's own 1 MiB cap).
    expect(res.body.stdout.length).toBe(1024 * 1024);

    const deadline = Date.now() + 60_000;
    let rows: { stream: string; line: string }[] = [];
    while (Date.now() < deadline) {
      rows = await db().sessionLogLine.findMany({ where: { sessionId: id, source: res.body.execId }, orderBy: { seq: "asc" }, select: { stream: true, line: true } });
      if (rows.at(-1)?.line.startsWith("exit ")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.at(-1)?.line).toMatch(/^exit 0 in \d+ ms$/);
    const kept = rows.filter((r) => r.stream === "stdout");
    const markers = rows.filter((r) => r.stream === "system" && MARKER.test(r.line)).map((r) => MARKER.exec(r.line)!);
    // At most the total's worth of output rows.
    expect(kept.length * (500 + LOG_LINE_CHARGE_BYTES)).toBeLessThanOrEqual(800_000);
    expect(kept.length).toBeGreaterThan(0);
    // The markers account for every line that is missing, to the byte, and say which limit.
    const droppedLines = markers.reduce((n, m) => n + Number(m[1]), 0);
    const droppedBytes = markers.reduce((n, m) => n + Number(m[2]), 0);
    expect(kept.length + droppedLines).toBe(20_000);
    expect(droppedBytes).toBe(droppedLines * 500);
    for (const m of markers) expect(m[3]).toMatch(/^session log (rate limit \(50000 bytes\/s\)|size limit \(800000 bytes per session\))$/);
    // Kept lines are whole and in order (drops cut whole lines, never parts of them).
    const numbers = kept.map((r) => Number(r.line.slice(0, 6)));
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1])).toBe(true);
    expect(markers.length).toBeLessThan(20);
    await db().tenantBilling.delete({ where: { tenantId: env.tenant.id } });
    await db().plan.delete({ where: { id: planId } });
  }, 180_000);
});
