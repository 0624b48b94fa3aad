// The base template's preparation on a fake /etc and host root in a temp dir (no runc, no mounts).
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureSkeleton, readHostRootLinks, scanHiddenEtc } from "./host-template";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "burrow-host-template-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("scanHiddenEtc", () => {
  it("hides what not everyone may read, keeps the rest, and records the parents to recreate", async () => {
    const etc = path.join(dir, "etc");
    mkdirSync(path.join(etc, "ssl/private"), { recursive: true });
    mkdirSync(path.join(etc, "ssl/certs"), { recursive: true });
    writeFileSync(path.join(etc, "passwd"), "root:x:0:0::/root:/bin/sh\n");
    writeFileSync(path.join(etc, "shadow"), "root:secret:1::::::\n");
    writeFileSync(path.join(etc, "ssl/certs/ca.pem"), "cert");
    writeFileSync(path.join(etc, "ssl/private/key.pem"), "key");
    symlinkSync("/nowhere", path.join(etc, "dangling"));
    chmodSync(path.join(etc, "passwd"), 0o644);
    chmodSync(path.join(etc, "shadow"), 0o640);
    chmodSync(path.join(etc, "ssl"), 0o755);
    chmodSync(path.join(etc, "ssl/private"), 0o700);

    const scan = await scanHiddenEtc(etc);
    expect(scan.hidden.map((h) => h.rel).sort()).toEqual(["shadow", "ssl/private"]);
    expect(scan.parents).toEqual([{ rel: "ssl", mode: 0o755, uid: process.getuid!(), gid: process.getgid!() }]);
  });
});

describe("ensureSkeleton", () => {
  it("mirrors the host's top-level symlinks and makes the mount points, once per layout", async () => {
    const host = path.join(dir, "host");
    mkdirSync(path.join(host, "usr/bin"), { recursive: true });
    mkdirSync(path.join(host, "lib64"));
    symlinkSync("usr/bin", path.join(host, "bin"));
    const links = await readHostRootLinks(host);
    expect(links).toEqual([
      { name: "bin", kind: "symlink", target: "usr/bin" },
      { name: "lib64", kind: "dir" },
    ]);
    const templates = path.join(dir, "templates");
    const skeleton = await ensureSkeleton(templates, links);
    expect(await ensureSkeleton(templates, links)).toBe(skeleton);
    expect(readlinkSync(path.join(skeleton, "bin"))).toBe("usr/bin");
    expect(lstatSync(path.join(skeleton, "lib64")).isDirectory()).toBe(true);
    expect(lstatSync(path.join(skeleton, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(path.join(skeleton, "root")).mode & 0o777).toBe(0o700);
    for (const d of ["usr", "etc", "proc", "sys", "dev", "workspace"]) expect(lstatSync(path.join(skeleton, d)).isDirectory()).toBe(true);
  });
});
