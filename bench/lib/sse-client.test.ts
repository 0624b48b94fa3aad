import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { formatComment, formatEvent } from "../../lib/api/sse";
import { openSse } from "./sse-client";

// The stream the bench reads, written by the API's own formatter and cut at awkward places.
const stream = Buffer.from(
  formatEvent({ retry: 2000 }) + formatComment("heartbeat") + formatEvent({ id: 1, data: '{"line":"é"}' }) + formatEvent({ id: 2, data: "a\nb" }),
);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const cut = stream.indexOf("é") + 1; // inside the two bytes of é
  res.write(stream.subarray(0, cut));
  setTimeout(() => res.end(stream.subarray(cut)), 20);
});
const listening = new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("bench SSE client", () => {
  it("counts events only, with their ids and whole data, across chunk cuts", async () => {
    await listening;
    const seen: [string | null, string][] = [];
    const client = await openSse({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, path: "/", onEvent: (id, data) => seen.push([id, data]) });
    expect(await client.ended).toMatch(/closed/);
    expect(seen).toEqual([["1", '{"line":"é"}'], ["2", "a\nb"]]);
    expect(client.count()).toBe(2);
    expect(client.lastId()).toBe("2");
  });
});
