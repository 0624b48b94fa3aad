// The lower layer of a "dir" rootfs (an imported image) for a sandbox in a user namespace. The
// image's files are owned by host ids as unpacked (root's are 0), which inside would be `nobody`:
// root could not change /etc or install packages. So each runner range gets one copy of the image
// with every owner moved into the range (uid u -> base+u), built once and shared like the base
// template's layers; images are immutable for their template's life, so the copy never goes stale.
import fs from "node:fs/promises";
import path from "node:path";
import { ensureImmutableDir, hashOf } from "./host-template";
import { hostIdOf, type IdMap } from "./id-map";
import { runCommand } from "./run-runtime";
import { SandboxError } from "./sandbox-error";
import { templatesDirOf } from "./sandbox-layout";

const MAX_ENTRIES = 5_000_000;

export async function imageLowerFor(stateDir: string, rootfs: string, idMap: IdMap): Promise<string> {
  if (!idMap) return rootfs;
  const name = `image-${hashOf({ rootfs, idMap })}`;
  return ensureImmutableDir(templatesDirOf(stateDir), name, async (dir) => {
    // --reflink=auto shares blocks where the filesystem can (btrfs, xfs); owners and modes are kept.
    const copied = await runCommand("cp", ["-a", "--reflink=auto", "--", `${rootfs}/.`, `${dir}/`]);
    if (copied.exitCode !== 0) throw new SandboxError("failed", `Could not prepare the image for a user namespace: ${copied.stderr.trim().slice(0, 500)}`);
    await shiftOwners(dir, idMap);
  });
}

/** Every entry's owner moved into the range; chown clears setuid/setgid, so the mode is set again. */
async function shiftOwners(root: string, idMap: NonNullable<IdMap>): Promise<void> {
  const stack = [root];
  let seen = 0;
  while (stack.length) {
    const p = stack.pop()!;
    if (++seen > MAX_ENTRIES) throw new SandboxError("failed", `The image has more than ${MAX_ENTRIES} entries`);
    const st = await fs.lstat(p);
    await fs.lchown(p, hostIdOf(idMap, st.uid), hostIdOf(idMap, st.gid));
    if (!st.isSymbolicLink()) await fs.chmod(p, st.mode & 0o7777);
    if (st.isDirectory()) for (const name of await fs.readdir(p)) stack.push(path.join(p, name));
  }
}
