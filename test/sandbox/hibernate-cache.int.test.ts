// The hibernate cache against real runc: after a snapshot of the frozen sandbox its writable area
// stays (disk image or plain directories) with a marker; a wake from that snapshot takes it and the
// sandbox starts on the same files; a cache of another snapshot, or one touched since, is deleted
// and reported; a process that writes all the time writes nothing after the freeze; and the runner's
// trim deletes the least recently made caches beyond the limit.
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CACHE_MARKER } from "../../lib/sandbox/hibernate-cache";
import { trimCaches } from "../../lib/runners/hibernate-cache";
import { LocalDirStore, writeSnapshot } from "../../lib/snapshots/store";
import { sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
const storeDir = mkdtempSync(path.join(os.tmpdir(), "burrow-cache-store-"));
afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

const LISTING = "cd /workspace && find . -printf '%p %y %s %m %U:%G %l\\n' | sort && find . -type f -exec md5sum {} + | sort && cat /root/home.txt";

async function hibernateHere(id: string, diskMib?: number) {
  const { backend } = sandboxes;
  await backend.pause(id);
  const paths = backend.paths(id);
  const written = await writeSnapshot({ store: new LocalDirStore(storeDir), trees: { upper: paths.upper, workspace: paths.workspace } });
  const frozenBusy = statSync(path.join(paths.workspace, "busy"), { throwIfNoEntry: false })?.size ?? 0;
  const kept = await backend.keepAsCache!(id, `snp_${written.manifestHash.slice(0, 12)}`);
  return { snapshotId: `snp_${written.manifestHash.slice(0, 12)}`, kept, diskMib, frozenBusy };
}

async function withFiles(over: { resources?: { vcpu: number; memoryMib: number; diskMib?: number } } = {}) {
  const { backend } = sandboxes;
  const { id, spec } = await sandboxes.start(over);
  const made = await sh(backend, id, [
    "mkdir -p /workspace/src/deep && printf 'hello' > /workspace/src/a.txt && ln /workspace/src/a.txt /workspace/src/hard",
    "ln -s a.txt /workspace/src/link && chmod 0640 /workspace/src/a.txt && head -c 300000 /dev/urandom > /workspace/src/deep/rand.bin",
    "truncate -s 10M /workspace/sparse && echo home > /root/home.txt",
  ].join(" && "));
  expect(made.exitCode, made.stderr).toBe(0);
  return { id, spec, before: (await sh(backend, id, LISTING)).stdout };
}

describe("the hibernate cache", () => {
  for (const diskMib of [64, undefined]) {
    it(`keeps the files of a hibernated sandbox and starts on them again (${diskMib ? "disk image" : "plain directories"})`, async () => {
      const { backend, stateDir } = sandboxes;
      const { id, spec, before } = await withFiles({ resources: { vcpu: 1, memoryMib: 256, ...(diskMib ? { diskMib } : {}) } });
      // Written to all the time: after the freeze and the snapshot, not another byte.
      await sh(backend, id, "nohup sh -c 'while :; do echo x >> /workspace/busy; done' >/dev/null 2>&1 &");
      await new Promise((r) => setTimeout(r, 50));
      const { snapshotId, kept, frozenBusy } = await hibernateHere(id);
      expect(frozenBusy).toBeGreaterThan(0);
      expect(kept?.snapshotId).toBe(snapshotId);
      expect(kept!.bytes).toBeGreaterThan(0);
      expect(existsSync(path.join(stateDir, id, CACHE_MARKER))).toBe(true);
      expect(await backend.list()).not.toContainEqual(expect.objectContaining({ id }));
      expect((await backend.listCaches!()).map((c) => c.id)).toContain(id);

      expect(await backend.takeCache!(id, snapshotId)).toBe("hit");
      expect(existsSync(path.join(stateDir, id, CACHE_MARKER))).toBe(false);
      await backend.create(spec);
      expect((await sh(backend, id, "stat -c %s /workspace/busy")).stdout.trim()).toBe(String(frozenBusy));
      expect((await sh(backend, id, LISTING)).stdout.replace(/^\.\/busy .*\n/m, "").split("\n").filter((l) => !l.includes("./busy")))
        .toEqual(before.split("\n").filter((l) => !l.includes("./busy")));
    });
  }

  it("deletes a cache of another snapshot (stale), one touched since (damaged), and reports a missing one", async () => {
    const { backend, stateDir } = sandboxes;
    const image = await withFiles({ resources: { vcpu: 1, memoryMib: 256, diskMib: 64 } });
    const a = await hibernateHere(image.id);
    expect(await backend.takeCache!(image.id, "snp_somethingelse")).toBe("stale");
    expect(existsSync(path.join(stateDir, image.id))).toBe(false);
    expect(await backend.takeCache!(image.id, a.snapshotId)).toBe("missing");
    sandboxes.forget(image.id);

    const plain = await withFiles();
    const b = await hibernateHere(plain.id);
    appendFileSync(path.join(backend.paths(plain.id).workspace, "src/a.txt"), "!");
    expect(await backend.takeCache!(plain.id, b.snapshotId)).toBe("damaged");
    expect(existsSync(path.join(stateDir, plain.id))).toBe(false);
    sandboxes.forget(plain.id);

    const img2 = await withFiles({ resources: { vcpu: 1, memoryMib: 256, diskMib: 64 } });
    const c = await hibernateHere(img2.id);
    appendFileSync(path.join(stateDir, img2.id, "disk.img"), Buffer.alloc(4096, 1));
    expect(await backend.takeCache!(img2.id, c.snapshotId)).toBe("damaged");
    sandboxes.forget(img2.id);

    const garbled = await withFiles();
    const d = await hibernateHere(garbled.id);
    writeFileSync(path.join(stateDir, garbled.id, CACHE_MARKER), "{not json");
    expect(await backend.takeCache!(garbled.id, d.snapshotId)).toBe("damaged");
    sandboxes.forget(garbled.id);
  });

  it("trims the least recently made caches beyond the limit", async () => {
    const { backend } = sandboxes;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await withFiles();
      await hibernateHere(s.id);
      ids.push(s.id);
      sandboxes.forget(s.id);
      await new Promise((r) => setTimeout(r, 5)); // distinct cachedAt
    }
    const caches = (await backend.listCaches!()).filter((c) => ids.includes(c.id));
    expect(caches).toHaveLength(3);
    const newestTwo = caches.filter((c) => c.id !== ids[0]).reduce((s, c) => s + c.bytes, 0);
    const others = (await backend.listCaches!()).filter((c) => !ids.includes(c.id)).reduce((s, c) => s + c.bytes, 0);
    await trimCaches(backend as Parameters<typeof trimCaches>[0], undefined, new Set(), others + newestTwo);
    const left = (await backend.listCaches!()).map((c) => c.id);
    expect(left).not.toContain(ids[0]);
    expect(left).toContain(ids[1]);
    expect(left).toContain(ids[2]);
    for (const id of ids) await backend.destroy(id);
  });
});
