import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { BlobNotFoundError } from "./errors";
import { LocalDirStore } from "./local-dir-store";
import { readAll } from "./manifest";

let root: string | null = null;
afterEach(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = null;
});
const newStore = () => new LocalDirStore((root = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-lds-"))));

describe("LocalDirStore", () => {
  it("puts, reads, reads ranges, lists and deletes objects", async () => {
    const store = newStore();
    await store.put("packs/ab/one.zst", Buffer.from("0123456789"));
    await store.put("packs/cd/two.zst", Readable.from([Buffer.from("abc"), Buffer.from("def")]));
    await store.put("manifests/m.json.zst", Buffer.from("m"));
    expect(await store.has("packs/ab/one.zst")).toBe(true);
    expect(await store.size("packs/cd/two.zst")).toBe(6);
    expect((await readAll(await store.get("packs/cd/two.zst"), 100)).toString()).toBe("abcdef");
    expect((await readAll(await store.getRange("packs/ab/one.zst", 3, 4), 100)).toString()).toBe("3456");
    expect((await readAll(await store.getRange("packs/ab/one.zst", 8, 10), 100)).toString()).toBe("89");
    const listed = [];
    for await (const l of store.list("packs/")) listed.push([l.key, l.size]);
    expect(listed.sort()).toEqual([["packs/ab/one.zst", 10], ["packs/cd/two.zst", 6]]);
    const some = [];
    for await (const l of store.list("packs/a")) some.push(l.key);
    expect(some).toEqual(["packs/ab/one.zst"]);
    await store.delete("packs/ab/one.zst");
    await store.delete("packs/ab/one.zst");
    expect(await store.has("packs/ab/one.zst")).toBe(false);
    await expect(store.get("packs/ab/one.zst")).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it("rejects keys that could leave the root", async () => {
    const store = newStore();
    for (const key of ["../x", "/abs", "a/../../b", "a//b", "A", "a/./b", ""]) {
      await expect(store.put(key, Buffer.from("x"))).rejects.toThrow(/invalid blob store key/);
    }
  });

  it("leaves no object and no temp file when the body fails midway", async () => {
    const store = newStore();
    async function* failing() {
      yield Buffer.from("partial");
      throw new Error("source broke");
    }
    await expect(store.put("packs/ab/x.zst", Readable.from(failing()))).rejects.toThrow(/source broke/);
    expect(await store.has("packs/ab/x.zst")).toBe(false);
    expect(fs.readdirSync(path.join(root!, ".tmp"))).toEqual([]);
  });
});
