// The manifest: every entry of every tree of a snapshot, with totals and the parent snapshot.
// Stored content-addressed (key = SHA-256 of these JSON bytes) and zstd-compressed.
import { z } from "zod";

export const MANIFEST_FORMAT = "burrow-snapshot/1";
export const TREE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Extended attributes kept: overlayfs opaque/redirect markers (trusted.* as root, user.* for
 * userxattr mounts), file capabilities, POSIX ACLs and user.* attributes. Others (overlay origin
 * and impure, which name inodes of one host's lower layer) are dropped on purpose. */
export const XATTR_NAME = /^(trusted\.overlay\.(opaque|redirect)|user\..+|security\.capability|system\.posix_acl_(access|default))$/;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const id = z.number().int().min(0).max(0xffffffff);
const mode = z.number().int().min(0).max(0o7777);
const mtimeNs = z.string().regex(/^-?\d{1,20}$/);
const xattrs = z.record(z.string().regex(XATTR_NAME), z.string().max(1 << 16).regex(/^[A-Za-z0-9+/]*={0,2}$/)).optional();
const entryPath = z.string().min(1).max(4096);
const base = { path: entryPath, uid: id, gid: id, mtimeNs, xattrs };

export const entrySchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("dir"), ...base, mode }),
  z.strictObject({ type: z.literal("file"), ...base, mode, size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), sha256 }),
  z.strictObject({ type: z.literal("symlink"), ...base, target: z.string().min(1).max(4096) }),
  z.strictObject({ type: z.literal("hardlink"), path: entryPath, target: entryPath }),
  z.strictObject({ type: z.literal("whiteout"), ...base, mode }),
  z.strictObject({ type: z.literal("fifo"), ...base, mode }),
]);

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  createdAt: z.string(),
  parent: sha256.nullable(),
  trees: z.record(z.string().regex(TREE_NAME), z.array(entrySchema).min(1)),
  /** Packs that held this snapshot's blobs when it was written: where restore looks first. */
  packs: z.array(z.string().regex(/^[0-9a-f]{32}$/)),
  totals: z.strictObject({
    entries: z.number().int().min(0),
    files: z.number().int().min(0),
    logicalBytes: z.number().int().min(0),
    uniqueBlobs: z.number().int().min(0),
    newBlobs: z.number().int().min(0),
    newBlobBytes: z.number().int().min(0),
    skipped: z.array(z.string()).max(1000),
  }),
});

export type ManifestEntry = z.infer<typeof entrySchema>;
export type FileEntry = Extract<ManifestEntry, { type: "file" }>;
export type Manifest = z.infer<typeof manifestSchema>;
