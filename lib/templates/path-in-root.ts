// Whether a path exists inside an unpacked image, resolved the way the sandbox will see it: an
// absolute symlink (e.g. /bin/sh -> /usr/bin/dash) points into the image, never at the host.
import fs from "node:fs/promises";
import path from "node:path";

const MAX_LINKS = 40; // as the kernel's ELOOP limit

/** True when `p` (absolute, inside the image) names an existing entry of the image rooted at `root`. */
export async function existsInRoot(root: string, p: string): Promise<boolean> {
  let links = 0;
  let pending = p.split("/").filter((s) => s && s !== ".");
  let resolved = ""; // symlink-free, relative to root
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      resolved = path.posix.dirname(`/${resolved}`).slice(1);
      continue;
    }
    const next = resolved ? `${resolved}/${part}` : part;
    const full = path.join(root, next);
    const st = await fs.lstat(full).catch(() => null);
    if (!st) return false;
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return false;
      const target = await fs.readlink(full);
      if (target.startsWith("/")) resolved = "";
      pending = [...target.split("/").filter((s) => s && s !== "."), ...pending];
      continue;
    }
    if (pending.length > 0 && !st.isDirectory()) return false;
    resolved = next;
  }
  return true;
}
