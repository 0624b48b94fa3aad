// Serialising, checking and storing manifests. A manifest read from the store is trusted only
// after its bytes hash to the requested name, its JSON fits the schema and every path is safe.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { BlobStore } from "./blob-store";
import { BlobNotFoundError, SnapshotCorruptError } from "./errors";
import { assertManifestHash, manifestKey } from "./keys";
import { type Manifest, type ManifestEntry, manifestSchema } from "./manifest-schema";
import { compressBuffer, decompressBuffer } from "./zstd";

const MAX_MANIFEST_BYTES = 1 << 30;

export const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** Throws a message naming the first unsafe entry: absolute paths, "..", ".", empty segments, NUL,
 * duplicates, an entry whose parent is not a directory listed before it (so restore never walks
 * through a symlink), a hard link to anything but an earlier regular file. */
export function checkTreeEntries(entries: readonly ManifestEntry[]): string | null {
  if (entries[0]?.path !== "." || entries[0].type !== "dir") return "the first entry must be the root directory \".\"";
  const dirs = new Set<string>(["."]);
  const files = new Set<string>();
  const seen = new Set<string>(["."]);
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i];
    const problem = checkRelativePath(e.path);
    if (problem) return `${JSON.stringify(e.path)}: ${problem}`;
    if (seen.has(e.path)) return `${JSON.stringify(e.path)}: duplicate entry`;
    seen.add(e.path);
    const slash = e.path.lastIndexOf("/");
    const parent = slash < 0 ? "." : e.path.slice(0, slash);
    if (!dirs.has(parent)) return `${JSON.stringify(e.path)}: parent is not a directory listed before it`;
    if (e.type === "dir") dirs.add(e.path);
    else if (e.type === "file") files.add(e.path);
    else if (e.type === "hardlink" && !files.has(e.target)) return `${JSON.stringify(e.path)}: hard link to ${JSON.stringify(e.target)}, not an earlier regular file`;
    if (e.type === "symlink" && e.target.includes("\0")) return `${JSON.stringify(e.path)}: NUL in link target`;
  }
  return null;
}

export function checkRelativePath(p: string): string | null {
  if (p.includes("\0")) return "NUL in path";
  if (p.startsWith("/")) return "absolute path";
  for (const seg of p.split("/")) {
    if (seg === "") return "empty path segment";
    if (seg === "." || seg === "..") return `"${seg}" segment`;
  }
  return null;
}

export function serializeManifest(manifest: Manifest): { bytes: Buffer; hash: string } {
  const bytes = Buffer.from(JSON.stringify(manifest), "utf8");
  return { bytes, hash: sha256Hex(bytes) };
}

/** Parses and checks manifest bytes; throws SnapshotCorruptError. */
export function parseManifest(bytes: Buffer, expectedHash: string): Manifest {
  const corrupt = (reason: string) =>
    new SnapshotCorruptError(`Snapshot ${expectedHash} is corrupt: manifest ${reason}`, { manifestHash: expectedHash, objectKey: manifestKey(expectedHash), reason: `manifest ${reason}` });
  const actual = sha256Hex(bytes);
  if (actual !== expectedHash) throw corrupt(`checksum mismatch (content hashes to ${actual})`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw corrupt("is not valid JSON");
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(`does not fit the schema at ${issue?.path.join(".")}: ${issue?.message}`);
  }
  for (const [tree, entries] of Object.entries(parsed.data.trees)) {
    const problem = checkTreeEntries(entries);
    if (problem) throw corrupt(`tree ${tree}: ${problem}`);
  }
  return parsed.data;
}

export async function readManifest(store: BlobStore, hash: string): Promise<Manifest> {
  assertManifestHash(hash);
  const key = manifestKey(hash);
  let compressed: Buffer;
  try {
    compressed = await readAll(await store.get(key), MAX_MANIFEST_BYTES);
  } catch (err) {
    if (!(err instanceof BlobNotFoundError)) throw err;
    throw new SnapshotCorruptError(`Snapshot ${hash} not found: no manifest at ${key}`, { manifestHash: hash, objectKey: key, reason: "manifest missing" });
  }
  let bytes: Buffer;
  try {
    bytes = await decompressBuffer(compressed);
  } catch (err) {
    throw new SnapshotCorruptError(`Snapshot ${hash} is corrupt: manifest does not decompress (${(err as Error).message})`, { manifestHash: hash, objectKey: key, reason: "manifest does not decompress" });
  }
  return parseManifest(bytes, hash);
}

/** Stores a manifest; returns its hash and the compressed size. */
export async function writeManifest(store: BlobStore, manifest: Manifest): Promise<{ hash: string; storedBytes: number }> {
  const { bytes, hash } = serializeManifest(manifest);
  const compressed = await compressBuffer(bytes);
  await store.put(manifestKey(hash), compressed);
  return { hash, storedBytes: compressed.length };
}

export async function readAll(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      stream.destroy();
      throw new Error(`object larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
