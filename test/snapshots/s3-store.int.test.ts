// The S3 BlobStore against a real S3-compatible server: s3rver (an npm devDependency) in a child
// process on 127.0.0.1, a free port and a temp directory. s3rver checks the access key id but not
// SigV4 signatures (s3-signing.test.ts checks those against AWS's vectors), and its continuation
// tokens use DES, which Node's OpenSSL 3 has only with --openssl-legacy-provider: hence the child.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BlobNotFoundError, collectGarbage, restoreSnapshot, S3Store, SnapshotCorruptError, snapshotSize, writeSnapshot, type S3StoreOptions } from "@/lib/snapshots/store";
import { readAll } from "@/lib/snapshots/store/manifest";
import { buildSampleTrees, expectRestoresExactly, expectSameListing, listTree, makeTempDirs, writeBigFile } from "./tree-fixtures";

const BUCKET = "burrow-test";
const PART = 5 << 20;
const SERVER = `
const [modulePath, directory, bucket] = process.argv.slice(1);
const S3rver = require(modulePath);
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] })
  .run().then(({ port }) => console.log("PORT " + port), (err) => { console.error(err); process.exit(1); });
`;
const serverTemp = makeTempDirs();
const temp = makeTempDirs();
let server: ChildProcess | undefined;
let endpoint: string;

beforeAll(async () => {
  const args = ["--openssl-legacy-provider", "-e", SERVER, createRequire(import.meta.url).resolve("s3rver"), serverTemp.make("burrow-s3rver-"), BUCKET];
  const child = (server = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] }));
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  let timer: NodeJS.Timeout | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`s3rver did not start in 30 s: ${stderr}`)), 30_000);
    let out = "";
    child.stdout!.on("data", (d) => {
      const m = /PORT (\d+)/.exec((out += String(d)));
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`)));
  }).finally(() => clearTimeout(timer));
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  }
  serverTemp.cleanup();
});
afterEach(() => temp.cleanup());

const newStore = (opts: Partial<S3StoreOptions> = {}) =>
  new S3Store({ endpoint, bucket: BUCKET, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", prefix: `t-${randomBytes(4).toString("hex")}`, partSize: PART, ...opts });

async function keys(store: S3Store, prefix: string) {
  const out: string[] = [];
  for await (const { key } of store.list(prefix)) out.push(key);
  return out.sort();
}

describe("S3Store (s3rver)", () => {
  it("puts, reads, reads ranges, lists and deletes objects", async () => {
    const store = newStore();
    const start = Date.now();
    await store.put("packs/ab/one.zst", Buffer.from("0123456789"));
    await store.put("packs/cd/two.zst", Readable.from([Buffer.from("abc"), Buffer.from("def")]));
    await store.put("manifests/empty.json.zst", Readable.from([]));
    expect(await store.has("packs/ab/one.zst")).toBe(true);
    expect(await store.has("packs/ab/none.zst")).toBe(false);
    expect(await store.size("packs/cd/two.zst")).toBe(6);
    expect(await store.size("manifests/empty.json.zst")).toBe(0);
    expect(await store.size("packs/ab/none.zst")).toBeNull();
    expect((await readAll(await store.get("packs/cd/two.zst"), 100)).toString()).toBe("abcdef");
    expect((await readAll(await store.getRange("packs/ab/one.zst", 3, 4), 100)).toString()).toBe("3456");
    expect((await readAll(await store.getRange("packs/ab/one.zst", 8, 10), 100)).toString()).toBe("89");
    expect((await readAll(await store.getRange("packs/ab/one.zst", 20, 5), 100)).length).toBe(0);
    await expect(store.get("packs/ab/none.zst")).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.getRange("packs/ab/none.zst", 0, 4)).rejects.toBeInstanceOf(BlobNotFoundError);

    const listed = [];
    for await (const l of store.list("packs/")) listed.push(l);
    expect(listed.map((l) => [l.key, l.size]).sort()).toEqual([["packs/ab/one.zst", 10], ["packs/cd/two.zst", 6]]);
    for (const l of listed) expect(Math.abs(l.modifiedAt - start)).toBeLessThan(60_000);
    expect(await keys(store, "packs/a")).toEqual(["packs/ab/one.zst"]);

    await store.put("packs/ab/one.zst", Buffer.from("new")); // overwrites
    expect((await readAll(await store.get("packs/ab/one.zst"), 100)).toString()).toBe("new");
    await store.delete("packs/ab/one.zst");
    await store.delete("packs/ab/one.zst");
    expect(await store.has("packs/ab/one.zst")).toBe(false);
    await expect(store.get("packs/ab/one.zst")).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.put("../x", Buffer.from("x"))).rejects.toThrow(/invalid blob store key/);
  });

  it("pages through listings with continuation tokens and keeps stores with other prefixes apart", async () => {
    const store = newStore({ listPageSize: 3 });
    const other = newStore();
    const written = Array.from({ length: 11 }, (_, i) => `indexes/p${String(i).padStart(2, "0")}.json.zst`);
    for (const k of written) await store.put(k, Buffer.from(k));
    await other.put("indexes/elsewhere.json.zst", Buffer.from("x"));
    expect(await keys(store, "indexes/")).toEqual(written);
    expect(await keys(store, "")).toEqual(written);
    expect(await keys(other, "indexes/")).toEqual(["indexes/elsewhere.json.zst"]);
    const unprefixed = newStore({ prefix: "" });
    expect((await keys(unprefixed, "")).length).toBeGreaterThanOrEqual(12);
  });

  it("uploads big bodies in parts (streams and buffers) and reads them back whole and in ranges", async () => {
    const store = newStore();
    const data = randomBytes(2 * PART + 12345);
    await store.put("packs/ff/big-stream.zst", Readable.from((function* () {
      for (let off = 0; off < data.length; off += 1 << 20) yield data.subarray(off, off + (1 << 20));
    })()));
    await store.put("packs/ff/big-buffer.zst", data);
    await store.put("packs/ff/one-part.zst", Readable.from([data.subarray(0, PART)]));
    for (const k of ["packs/ff/big-stream.zst", "packs/ff/big-buffer.zst"]) {
      expect(await store.size(k)).toBe(data.length);
      expect((await readAll(await store.get(k), data.length)).equals(data)).toBe(true);
      expect((await readAll(await store.getRange(k, PART - 10, 20), 20)).equals(data.subarray(PART - 10, PART + 10))).toBe(true);
    }
    expect(await store.size("packs/ff/one-part.zst")).toBe(PART);
  });

  it("reports the server's error for an unknown access key", async () => {
    const store = newStore({ accessKeyId: "NOT-A-KEY" });
    await expect(store.put("packs/ab/x.zst", Buffer.from("x"))).rejects.toThrow(/HTTP 403 InvalidAccessKeyId/);
  });
});

describe("snapshots through the S3 store (s3rver)", () => {
  it("writes, restores and sizes a snapshot with every entry kind and a multipart pack", async () => {
    const store = newStore();
    const trees = buildSampleTrees(temp.make(), { bigFileBytes: 12 << 20 });
    const before = { upper: listTree(trees.upper), workspace: listTree(trees.workspace) };
    const written = await writeSnapshot({ store, trees });
    expect(written.skipped).toEqual([]);
    expect((await keys(store, "packs/")).length).toBeGreaterThanOrEqual(2); // the big file has its own pack

    await expectRestoresExactly({ store, written, before, temp });
    expect(await snapshotSize({ store, manifestHash: written.manifestHash })).toMatchObject({ missingBlobs: 0 });
  });

  it("collects garbage: keeps the live snapshot, deletes the dead one's objects", async () => {
    const store = newStore({ listPageSize: 2 });
    const ws = temp.make();
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(ws, `keep-${i}.txt`), `kept ${i}\n`.repeat(100));
    writeBigFile(path.join(ws, "big-dropped.bin"), 9 << 20);
    const a = await writeSnapshot({ store, trees: { workspace: ws } });
    fs.rmSync(path.join(ws, "big-dropped.bin"));
    fs.writeFileSync(path.join(ws, "added.txt"), "added later\n");
    const b = await writeSnapshot({ store, trees: { workspace: ws }, parent: a.manifestHash });
    const expected = listTree(ws);
    const packsBefore = (await keys(store, "packs/")).length;

    const gc = await collectGarbage({ store, liveManifests: [b.manifestHash], graceMs: 0 });
    expect(gc).toMatchObject({ deletedManifests: 1, unreadablePacks: [], corruptBlobs: [] });
    expect(gc.deletedBlobs).toBe(1);
    expect(gc.freedBytes).toBeGreaterThan(4 << 20);
    expect(await keys(store, "manifests/")).toEqual([`manifests/${b.manifestHash}.json.zst`]);
    expect((await keys(store, "packs/")).length).toBe(packsBefore - 1);

    const out = temp.make();
    await restoreSnapshot({ store, manifestHash: b.manifestHash, targets: { workspace: path.join(out, "w") } });
    expectSameListing(listTree(path.join(out, "w")), expected);
    await expect(restoreSnapshot({ store, manifestHash: a.manifestHash, targets: { workspace: path.join(out, "a") } })).rejects.toBeInstanceOf(SnapshotCorruptError);
  });
});
