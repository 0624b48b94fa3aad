import { describe, expect, it } from "vitest";
import { terminalEventStream } from "./terminal-event-stream";

/** A runner answer whose body arrives in the given pieces (split anywhere, even inside a line). */
function runnerAnswer(pieces: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(new ReadableStream({ start(c) { for (const p of pieces) c.enqueue(encoder.encode(p)); c.close(); } }));
}

describe("terminalEventStream", () => {
  it("turns runner events into SSE, ids being the byte offset after each chunk, and ends after `closed`", async () => {
    const hello = Buffer.from("hello").toString("base64");
    const lines = [
      JSON.stringify({ type: "gap", from: 0, to: 10 }),
      JSON.stringify({ type: "output", offset: 10, data: hello }),
      JSON.stringify({ type: "heartbeat" }),
      JSON.stringify({ type: "closed", reason: "session paused", exitCode: null }),
      JSON.stringify({ type: "output", offset: 15, data: hello }), // never sent: the stream is over
    ].join("\n") + "\n";
    const res = terminalEventStream(runnerAnswer([lines.slice(0, 7), lines.slice(7, 50), lines.slice(50)]), "req_1");
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    expect(text).toBe(
      ": open\n\n" +
        'event: gap\ndata: {"from":0,"to":10}\n\n' +
        `id: 15\nevent: output\ndata: {"offset":10,"data":"${hello}"}\n\n` +
        ": heartbeat\n\n" +
        'event: closed\ndata: {"reason":"session paused","exitCode":null}\n\n',
    );
  });

  it("says the runner went away when its stream ends without `closed`", async () => {
    const text = await terminalEventStream(runnerAnswer([JSON.stringify({ type: "heartbeat" }) + "\n"]), "req_2").text();
    expect(text).toMatch(/event: error\ndata: .*"code":"unavailable".*"requestId":"req_2"/);
  });
});
