// The built-in base template ("host"): the sandbox sees the host's /usr read-only and a copy-on-write
// view of the host's /etc, on top of a tiny skeleton root. Two immutable, content-named directories
// under <stateDir>/templates are prepared once and shared by every sandbox:
//  - host-root-<hash>: the skeleton lower layer of the root overlay (empty mount points, /tmp,
//    /root, and /bin, /lib, … as the same symlinks the host has, e.g. bin -> usr/bin);
//  - etc-mask-<hash>: an overlay layer of whiteouts stacked over the host's /etc that hides every
//    entry the host does not let everyone read (shadow, gshadow, ssl/private, …). Root inside the
//    sandbox is uid 0 and would otherwise read root-only files as their owner.
// Names carry a hash of their contents, so a changed host layout gets a new directory and a running
// sandbox never sees its lower layer change.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { runCommand } from "./run-runtime";
import { SandboxError } from "./sandbox-error";

/** A top-level entry of the host root that must look the same inside (usr-merge symlinks or dirs). */
export type HostRootLink = { name: string; kind: "symlink"; target: string } | { name: string; kind: "dir" };
export type HiddenEtcEntry = { rel: string };
export type EtcParentDir = { rel: string; mode: number; uid: number; gid: number };

export type HostTemplate = {
  /** Lower layer of the root overlay. */
  skeletonDir: string;
  /** The host's bin, sbin, lib, …: symlinks are copied into the skeleton, real directories
   * (a host without merged /usr) are bind-mounted read-only. */
  rootLinks: HostRootLink[];
  /** Whiteout layer stacked above the host's /etc. */
  etcMaskDir: string;
};

const ROOT_LINK_NAMES = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];
// Mount points and the usual writable places. Modes as on a Debian install.
const SKELETON_DIRS: [string, number][] = [
  ["dev", 0o755], ["proc", 0o555], ["sys", 0o555], ["etc", 0o755], ["usr", 0o755], ["workspace", 0o755],
  ["tmp", 0o1777], ["root", 0o700], ["home", 0o755], ["run", 0o755], ["var", 0o755], ["var/tmp", 0o1777],
  ["var/log", 0o755], ["mnt", 0o755], ["opt", 0o755], ["srv", 0o755],
];
const SKELETON_VERSION = 1;
const ETC_SCAN_MAX_ENTRIES = 50_000;
const ETC_SCAN_MAX_DEPTH = 16;
/** /etc is rescanned at most this often, so a secret added on the host is hidden within a minute. */
const ETC_SCAN_TTL_MS = 60_000;

export async function readHostRootLinks(hostRoot = "/"): Promise<HostRootLink[]> {
  const links: HostRootLink[] = [];
  for (const name of ROOT_LINK_NAMES) {
    const full = path.join(hostRoot, name);
    const st = await fs.lstat(full).catch(() => null);
    if (!st) continue;
    if (st.isSymbolicLink()) links.push({ name, kind: "symlink", target: await fs.readlink(full) });
    else if (st.isDirectory()) links.push({ name, kind: "dir" });
  }
  return links;
}

/** Entries of /etc that not everyone may read (or traverse, for directories): these stay hidden. */
export async function scanHiddenEtc(etcDir = "/etc"): Promise<{ hidden: HiddenEtcEntry[]; parents: EtcParentDir[] }> {
  const hidden: HiddenEtcEntry[] = [];
  const parents = new Map<string, EtcParentDir>();
  let seen = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > ETC_SCAN_MAX_DEPTH) throw new SandboxError("failed", `${etcDir} is nested too deeply to scan for secrets`);
    const names = (await fs.readdir(path.join(etcDir, rel))).sort();
    for (const name of names) {
      if (++seen > ETC_SCAN_MAX_ENTRIES) throw new SandboxError("failed", `${etcDir} has more than ${ETC_SCAN_MAX_ENTRIES} entries to scan for secrets`);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(path.join(etcDir, childRel)).catch(() => null);
      if (!st || st.isSymbolicLink()) continue; // a link's target is checked where it lives
      const worldReadable = (st.mode & 0o004) !== 0 && (!st.isDirectory() || (st.mode & 0o001) !== 0);
      if (!worldReadable) {
        hidden.push({ rel: childRel });
        for (let p = path.posix.dirname(childRel); p !== "."; p = path.posix.dirname(p)) {
          if (parents.has(p)) break;
          const ps = await fs.lstat(path.join(etcDir, p));
          parents.set(p, { rel: p, mode: ps.mode & 0o7777, uid: ps.uid, gid: ps.gid });
        }
      } else if (st.isDirectory()) {
        await walk(childRel, depth + 1);
      }
    }
  };
  await walk("", 0);
  return { hidden, parents: [...parents.values()].sort((a, b) => a.rel.length - b.rel.length || a.rel.localeCompare(b.rel)) };
}

export const hashOf = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

/** Builds `name` under templatesDir with `fill` unless it exists; concurrent builders race safely. */
export async function ensureImmutableDir(templatesDir: string, name: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const final = path.join(templatesDir, name);
  if (await fs.stat(final).then(() => true, () => false)) return final;
  // Search but no listing for others: runc, as a user namespace's root, walks to the /etc mask layer.
  await fs.mkdir(templatesDir, { recursive: true, mode: 0o711 });
  await fs.chmod(templatesDir, 0o711);
  const temp = path.join(templatesDir, `.${name}.tmp-${randomBytes(6).toString("hex")}`);
  try {
    await fs.mkdir(temp, { mode: 0o755 });
    await fs.chmod(temp, 0o755);
    await fill(temp);
    await fs.rename(temp, final).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST" && err.code !== "ENOTEMPTY") throw err; // another builder won
    });
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
  return final;
}

/** Who owns the skeleton: host root, or the mapped root of the runner's user namespace range. */
export type SkeletonOwner = { rootUid: number; rootGid: number };
const HOST_ROOT: SkeletonOwner = { rootUid: 0, rootGid: 0 };

export function ensureSkeleton(templatesDir: string, rootLinks: HostRootLink[], owner: SkeletonOwner = HOST_ROOT): Promise<string> {
  // The owner is part of the name: root inside must own /root, /tmp, … to use them.
  const ownerKey = owner.rootUid === 0 && owner.rootGid === 0 ? {} : { owner };
  const name = `host-root-${hashOf({ v: SKELETON_VERSION, dirs: SKELETON_DIRS, rootLinks, ...ownerKey })}`;
  return ensureImmutableDir(templatesDir, name, async (dir) => {
    for (const [rel, mode] of SKELETON_DIRS) {
      await fs.mkdir(path.join(dir, rel), { recursive: true });
      await fs.chmod(path.join(dir, rel), mode); // mkdir's mode is filtered by the umask
    }
    for (const link of rootLinks) {
      if (link.kind === "symlink") await fs.symlink(link.target, path.join(dir, link.name));
      else await fs.mkdir(path.join(dir, link.name), { mode: 0o755 });
    }
    if (ownerKey.owner) {
      for (const [rel] of SKELETON_DIRS) await fs.lchown(path.join(dir, rel), owner.rootUid, owner.rootGid);
      for (const link of rootLinks) await fs.lchown(path.join(dir, link.name), owner.rootUid, owner.rootGid);
      await fs.lchown(dir, owner.rootUid, owner.rootGid);
    }
  });
}

export function ensureEtcMask(templatesDir: string, scan: { hidden: HiddenEtcEntry[]; parents: EtcParentDir[] }): Promise<string> {
  const name = `etc-mask-${hashOf(scan)}`;
  return ensureImmutableDir(templatesDir, name, async (dir) => {
    for (const p of scan.parents) {
      const full = path.join(dir, p.rel);
      await fs.mkdir(full);
      await fs.chmod(full, p.mode); // the merged directory takes its attributes from this layer
      await fs.lchown(full, p.uid, p.gid);
    }
    if (scan.hidden.length === 0) return;
    // An overlayfs whiteout is a 0:0 character device; Node cannot mknod, so one shell does them all.
    const script = 'for p do mknod -m 000 "$p" c 0 0 || exit 1; done';
    const made = await runCommand("sh", ["-c", script, "sh", ...scan.hidden.map((h) => path.join(dir, h.rel))]);
    if (made.exitCode !== 0) throw new SandboxError("failed", `Could not create whiteouts for /etc: ${made.stderr.trim()}`);
  });
}

/** Prepares the host template on demand; the /etc scan is cached for ETC_SCAN_TTL_MS. */
export function createHostTemplateSource(templatesDir: string, owner: SkeletonOwner = HOST_ROOT) {
  let cached: { at: number; value: Promise<HostTemplate> } | null = null;
  const build = async (): Promise<HostTemplate> => {
    const rootLinks = await readHostRootLinks();
    const [skeletonDir, etcMaskDir] = await Promise.all([
      ensureSkeleton(templatesDir, rootLinks, owner),
      scanHiddenEtc().then((scan) => ensureEtcMask(templatesDir, scan)),
    ]);
    return { skeletonDir, rootLinks, etcMaskDir };
  };
  return {
    prepare(now = Date.now()): Promise<HostTemplate> {
      if (!cached || now - cached.at > ETC_SCAN_TTL_MS) {
        const value = build();
        cached = { at: now, value };
        value.catch(() => { if (cached?.value === value) cached = null; }); // retry next time
      }
      return cached.value;
    },
  };
}
