// The disk limit against real runc: a sandbox with resources.diskMib has a filesystem of its own
// (a sparse ext4 image, loop-mounted), so writing past it gets ENOSPC and so does running out of
// inodes, while the host and the other sandboxes keep their space. Its files survive a snapshot
// round trip (hibernate and wake), a destroy keeping files (a runner restart) and the quarantine.
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDirStore, restoreSnapshot, writeSnapshot } from "../../lib/snapshots/store";
import { mountsUnder, sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();
const MIB = 1024 * 1024;
const hostFreeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

describe("a sandbox's disk limit", () => {
  it("answers ENOSPC past diskMib in /workspace and in /, leaves the host's space and another sandbox alone", async () => {
    const { backend, stateDir } = sandboxes;
    const before = hostFreeBytes(stateDir);
    const { id } = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 128, diskMib: 16 } });
    const other = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 128, diskMib: 16 } });

    const fill = await sh(backend, id, "dd if=/dev/zero of=/workspace/big bs=1M count=64 2>&1; echo exit=$?", { timeoutMs: 60_000 });
    expect(fill.stdout).toMatch(/No space left on device/);
    expect(fill.stdout).not.toMatch(/exit=0/);
    const root = await sh(backend, id, "dd if=/dev/zero of=/root/more bs=1M count=8 2>&1; echo exit=$?");
    expect(root.stdout).toMatch(/No space left on device/);

    // A file written from outside (the files API) that does not fit: too_large (413), not a failure.
    await expect(backend.writeFile(id, "/workspace/upload", Buffer.alloc(4 * MIB, 1), 8 * MIB)).rejects.toMatchObject({ code: "too_large", details: { reason: "disk_full" } });

    const usage = await backend.diskUsage(id);
    expect(usage).not.toBeNull();
    expect(usage!.totalBytes).toBeLessThanOrEqual(16 * MIB);
    expect(usage!.freeBytes).toBeLessThan(MIB);
    // The host paid for at most the image (plus a little ext4 metadata and our own files), not 64 MiB.
    expect(before - hostFreeBytes(stateDir)).toBeLessThan(24 * MIB);

    const write = await sh(backend, other.id, "dd if=/dev/zero of=/workspace/f bs=1M count=4 2>&1 && echo ok");
    expect(write.stdout).toMatch(/ok\n$/);
  });

  it("has an inode limit: creating files past it gets ENOSPC", async () => {
    const { backend } = sandboxes;
    const { id } = await sandboxes.start({ resources: { vcpu: 1, memoryMib: 128, diskMib: 16, inodes: 256 } });
    const r = await sh(backend, id, "cd /workspace && i=0; while [ $i -lt 1000 ]; do touch f$i || { echo failed-at=$i; exit 0; }; i=$((i+1)); done; echo all-made", { timeoutMs: 60_000 });
    expect(r, JSON.stringify(r)).toMatchObject({ stdout: expect.stringMatching(/failed-at=\d+/) });
    expect(r.stderr).toMatch(/No space left on device/);
    expect((await backend.diskUsage(id))!.freeInodes).toBe(0);
  });

  it("keeps the files through a snapshot round trip into a new image, a destroy keeping files, and the quarantine", async () => {
    const { backend, stateDir } = sandboxes;
    const resources = { vcpu: 1, memoryMib: 128, diskMib: 32 };
    const { id, spec } = await sandboxes.start({ resources });
    expect((await sh(backend, id, "echo kept > /workspace/a && echo home > /root/b && echo ok")).stdout).toBe("ok\n");
    const paths = backend.paths(id);

    // Hibernate: snapshot while mounted, then destroy (unmounts and deletes the image).
    await backend.pause(id);
    const store = new LocalDirStore(mkdtempSync(path.join(os.tmpdir(), "burrow-disk-store-")));
    try {
      const written = await writeSnapshot({ store, trees: { upper: paths.upper, workspace: paths.workspace } });
      await backend.destroy(id);
      expect(existsSync(paths.root)).toBe(false);
      expect(mountsUnder(paths.root)).toEqual([]);

      // Wake: a new image, the snapshot restored into it, then create.
      await backend.prepareFiles(id, resources);
      await restoreSnapshot({ store, manifestHash: written.manifestHash, targets: { upper: paths.upper, workspace: paths.workspace } });
      await backend.create(spec);
      expect((await sh(backend, id, "cat /workspace/a /root/b")).stdout).toBe("kept\nhome\n");
      expect((await backend.diskUsage(id))!.totalBytes).toBeGreaterThan(16 * MIB);
    } finally {
      rmSync(store.root, { recursive: true, force: true });
    }

    // A runner restart after a reboot: nothing mounted, the image is mounted again by create.
    await backend.destroy(id, { keepFiles: true });
    expect(mountsUnder(paths.root)).toEqual([]);
    await backend.create(spec);
    expect((await sh(backend, id, "cat /workspace/a")).stdout).toBe("kept\n");

    // The quarantine copies the files out of the image into plain directories.
    const kept = await backend.quarantine(id);
    sandboxes.forget(id);
    expect(kept).not.toBeNull();
    expect(kept!.startsWith(path.join(stateDir, ".quarantine"))).toBe(true);
    expect(readFileSync(path.join(kept!, "workspace", "a"), "utf8")).toBe("kept\n");
    expect(readFileSync(path.join(kept!, "upper", "rootfs", "root", "b"), "utf8")).toBe("home\n");
    expect(existsSync(paths.root)).toBe(false);
    expect(mountsUnder(paths.root)).toEqual([]);
  });
});
