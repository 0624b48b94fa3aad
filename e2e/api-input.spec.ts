// Requests Next itself would answer with a 500 before any route handler runs: a TRACE request and a
// path that is not percent-encoded UTF-8 get the API's JSON error (scripts/web-server.ts).
import http from "node:http";
import { expect, test } from "@playwright/test";

function raw(baseURL: string, method: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("TRACE is a JSON 405 and %ff in an /api path a JSON 400", async ({ baseURL }) => {
  const trace = await raw(baseURL!, "TRACE", "/api/v1/me");
  expect(trace.status).toBe(405);
  expect(trace.headers.allow).toContain("GET");
  expect(JSON.parse(trace.body)).toMatchObject({ error: { code: "method_not_allowed" }, requestId: expect.any(String) });
  for (const path of ["/api/v1/sessions/%ff", "/api/v1/sessions/%ff/exec", "/api/v1/me%"]) {
    const bad = await raw(baseURL!, "GET", path);
    expect(bad.status, path).toBe(400);
    expect(JSON.parse(bad.body), path).toMatchObject({ error: { code: "invalid_request" }, requestId: expect.any(String) });
  }
});
