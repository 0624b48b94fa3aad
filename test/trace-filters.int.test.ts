// GET /traces: filters by status, root name and duration, and the folding of reads and of a web
// terminal's keystrokes (includeReads=false), on spans written straight into the table.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as sessionSpansRoute from "@/app/api/v1/sessions/[id]/spans/route";
import * as tracesRoute from "@/app/api/v1/traces/route";
import { db } from "@/lib/db/client";
import { call, createTestTenant } from "./helpers";
import { sessionRowIn } from "./session-rows";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

describe("trace filters", () => {
  it("filters traces by status, name and duration, and folds terminal keystrokes and reads", async () => {
    const t = await createTestTenant();
    const { id: sessionId } = await sessionRowIn("running", undefined, {}, t);
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const trace = (name: string, ms: number, opts: { error?: boolean; method?: string; route?: string; kind?: string } = {}) => {
      const traceId = hex(16);
      return {
        traceId, tenantId: t.id, spanId: hex(8), parentSpanId: null, sessionId, name, kind: opts.kind ?? "server", source: "platform", serviceName: "burrow",
        startNs: base, endNs: base + BigInt(ms) * 1_000_000n, statusCode: opts.error ? "error" : "ok",
        attributes: opts.method ? { "http.method": opts.method, "http.route": opts.route } : {},
      };
    };
    const exec = trace("POST /api/v1/sessions/{id}/exec", 900, { method: "POST", route: "/api/v1/sessions/{id}/exec" });
    const failed = trace("POST /api/v1/sessions/{id}/files", 40, { error: true, method: "POST", route: "/api/v1/sessions/{id}/files" });
    const quick = trace("session.start", 5, { kind: "internal" });
    const keystroke = trace("POST /api/v1/sessions/{id}/terminals/{terminalId}/input", 2,
      { method: "POST", route: "/api/v1/sessions/{id}/terminals/{terminalId}/input" });
    const read = trace("GET /api/v1/sessions/{id}", 3, { method: "GET", route: "/api/v1/sessions/{id}" });
    await db().span.createMany({ data: [exec, failed, quick, keystroke, read] });

    // Creating the session recorded spans of its own; only the ones written here count.
    const mine = new Set([exec, failed, quick, keystroke, read].map((x) => x.traceId));
    const traces = async (query: string) => {
      const res = await call(tracesRoute.GET, { path: `/api/v1/traces?sessionId=${sessionId}&${query}`, key: t.key });
      expect(res.status).toBe(200);
      return new Set(res.body.data.map((x: { traceId: string }) => x.traceId).filter((id: string) => mine.has(id)));
    };
    const ids = (...xs: { traceId: string }[]) => new Set(xs.map((x) => x.traceId));
    expect(await traces("")).toEqual(ids(exec, failed, quick, keystroke, read));
    expect(await traces("includeReads=false")).toEqual(ids(exec, failed, quick));
    expect(await traces("includeReads=false&status=error")).toEqual(ids(failed));
    expect(await traces("includeReads=false&status=ok")).toEqual(ids(exec, quick));
    expect(await traces("includeReads=false&name=EXEC")).toEqual(ids(exec));
    expect(await traces("includeReads=false&name=%25")).toEqual(ids()); // a literal %, not a wildcard
    expect(await traces("includeReads=false&minDurationMs=40")).toEqual(ids(exec, failed));
    expect(await traces("includeReads=false&maxDurationMs=40")).toEqual(ids(failed, quick));
    expect((await call(tracesRoute.GET, { path: "/api/v1/traces?status=fine", key: t.key })).status).toBe(400);

    // The session's spans fold the same requests.
    const spans = await call(sessionSpansRoute.GET, { path: `/api/v1/sessions/${sessionId}/spans?includeReads=false`, key: t.key, params: { id: sessionId } });
    expect(new Set(spans.body.data.map((s: { traceId: string }) => s.traceId).filter((id: string) => mine.has(id)))).toEqual(ids(exec, failed, quick));
  });
});
