// The production server (scripts/web-server.ts) serves log followers with the route handler
// directly (lib/api/serve-node-request.ts) instead of through Next: over a real socket, the stream
// delivers lines, answers errors in the API's shape, and a client that goes away leaves the fan-out.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import * as logsRoute from "@/app/api/v1/sessions/[id]/logs/route";
import { serveNodeRequest } from "@/lib/api/serve-node-request";
import { appendSessionLogs } from "@/lib/logs/append-session-logs";
import { logFanout } from "@/lib/logs/log-fanout";
import { sessionRowIn } from "./session-rows";
import { waitFor } from "./wait-for";

const server = http.createServer((req, res) => {
  const id = /^\/api\/v1\/sessions\/([^/]+)\/logs/.exec(req.url ?? "")?.[1] ?? "";
  void serveNodeRequest(req, res, logsRoute.GET, { id });
});
const listening = new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(path: string, headers: Record<string, string>) {
  return listening.then((base) => new Promise<{ res: http.IncomingMessage; req: http.ClientRequest; text: () => string; ended: Promise<void> }>((resolve, reject) => {
    let body = "";
    const req = http.get(`${base}${path}`, { headers }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      const ended = new Promise<void>((r) => res.on("end", () => r()));
      resolve({ res, req, text: () => body, ended });
    });
    req.on("error", reject);
  }));
}

describe("log stream served outside Next", () => {
  it("streams lines as they are committed and leaves the fan-out when the client goes", async () => {
    const { id, tenant } = await sessionRowIn("running");
    const { res, req, text } = await get(`/api/v1/sessions/${id}/logs`, { authorization: `Bearer ${tenant.key}`, accept: "text/event-stream" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(res.headers["x-request-id"]).toMatch(/^req_/);
    await waitFor(() => logFanout().subscriberCount(id) === 1, { what: "the stream to go live" });
    await appendSessionLogs(tenant.id, id, [{ stream: "stdout", source: "test", at: new Date(), line: "hello direct" }]);
    await waitFor(() => text().includes("hello direct"), { what: "the line to arrive" });
    expect(text()).toMatch(/^retry: 2000\n\n/);
    expect(text()).toMatch(/id: 1\n/);
    req.destroy();
    await waitFor(() => logFanout().subscriberCount(id) === 0, { what: "the subscriber to leave" });
  });

  it("answers a refused request in the API's error shape", async () => {
    const { id } = await sessionRowIn("running");
    const { res, text, ended } = await get(`/api/v1/sessions/${id}/logs`, { authorization: "Bearer bur_nope", accept: "text/event-stream" });
    expect(res.statusCode).toBe(401);
    await ended;
    expect(JSON.parse(text())).toMatchObject({ error: { code: "unauthorized" } });
  });
});
