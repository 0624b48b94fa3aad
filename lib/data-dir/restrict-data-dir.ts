// DATA_DIR holds tenants' files (snapshot packs, sandboxes' upper layers and workspaces, imported
// templates) and the stack's secrets: nothing in it is for other users of the host. At start it is
// made owner-only, and what an older version left readable is tightened. A sandbox's rootfs keeps
// its own modes (the container needs them); its parent directories are what keep others out.
import fs from "node:fs/promises";
import path from "node:path";
import { LocalDirStore } from "../snapshots/store";

/** Directories under DATA_DIR whose contents are tenants' (their own modes stay; the directory is 0700). */
const TENANT_DIRS = ["sandboxes", "templates"];

export type RestrictDataDirResult = { dataDirMode: number; changed: number };

/**
 * `othersMayTraverse`: 0711 instead of 0700, for an embedded Postgres run as root, which runs the
 * server as a `postgres` user that must reach DATA_DIR/postgres (itself 0700, owned by postgres).
 * Others can then pass through DATA_DIR but not list it, and every entry in it is owner-only.
 */
export async function restrictDataDir(dataDir: string, opts: { othersMayTraverse: boolean }): Promise<RestrictDataDirResult> {
  const root = path.resolve(dataDir);
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const dataDirMode = opts.othersMayTraverse ? 0o711 : 0o700;
  await fs.chmod(root, dataDirMode);
  let changed = 0;
  for (const d of await fs.readdir(root, { withFileTypes: true })) {
    const p = path.join(root, d.name);
    if (d.name === "postgres") continue; // Postgres's own (0700 by initdb, owned by its user)
    if (d.name === "snapshots" && d.isDirectory()) changed += await new LocalDirStore(p).restrictModes();
    // sandboxes/ may keep search for others: runc walks through it as a user namespace's root (each sandbox's dir stays closed).
    else if (d.isDirectory() && d.name === "sandboxes") changed += await restrict(p, 0o700, 0o066);
    else if (d.isDirectory() && TENANT_DIRS.includes(d.name)) changed += await restrict(p, 0o700);
    else if (d.isFile() || d.isSocket()) changed += await restrict(p, 0o600); // secrets, postgres.json, the OTLP socket
  }
  return { dataDirMode, changed };
}

async function restrict(p: string, wanted: number, forbidden = 0o077): Promise<number> {
  const st = await fs.lstat(p);
  if ((st.mode & forbidden) === 0) return 0;
  await fs.chmod(p, wanted);
  return 1;
}
