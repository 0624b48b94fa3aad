import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeLimitedBodyToFile } from "./read-body";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-body-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => path.join(dir, `f${++n}`);

/** A body in chunks, with no Content-Length, as a chunked upload arrives. */
function chunked(chunks: Uint8Array[], contentType = "application/x-tar") {
  const body = new ReadableStream<Uint8Array>({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
  return new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": contentType }, body, duplex: "half" } as RequestInit);
}

describe("writeLimitedBodyToFile", () => {
  const opts = { maxBytes: 10, contentTypes: ["application/x-tar"] };

  it("streams the body to a new file and returns its size", async () => {
    const f = file();
    expect(await writeLimitedBodyToFile(chunked([Buffer.from("hello "), Buffer.from("tar")]), { ...opts, file: f })).toBe(9);
    expect(fs.readFileSync(f, "utf8")).toBe("hello tar");
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it("stops with 413 once the streamed body passes the limit, or at once when Content-Length says so", async () => {
    await expect(writeLimitedBodyToFile(chunked([Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6)]), { ...opts, file: file() })).rejects.toMatchObject({ status: 413 });
    const declared = new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": "application/x-tar", "content-length": "11" }, body: "x" });
    const f = file();
    await expect(writeLimitedBodyToFile(declared, { ...opts, file: f })).rejects.toMatchObject({ status: 413 });
    expect(fs.existsSync(f)).toBe(false);
  });

  it("answers 415 for another Content-Type and never overwrites a file", async () => {
    await expect(writeLimitedBodyToFile(chunked([], "application/json"), { ...opts, file: file() })).rejects.toMatchObject({ status: 415 });
    const f = file();
    fs.writeFileSync(f, "keep");
    await expect(writeLimitedBodyToFile(chunked([Buffer.from("x")]), { ...opts, file: f })).rejects.toMatchObject({ code: "EEXIST" });
    expect(fs.readFileSync(f, "utf8")).toBe("keep");
  });
});
