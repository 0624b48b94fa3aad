// The object store under the snapshot store: flat keys → immutable byte objects. Shaped after S3
// (keys with "/" separators, whole-object put, ranged get, prefix list, no rename, no append) so
// that an S3-compatible implementation can stand in for LocalDirStore without other changes.
import type { Readable } from "node:stream";

export type BlobStoreListing = { key: string; size: number; /** ms since the epoch (S3: LastModified) */ modifiedAt: number };

export interface BlobStore {
  /** Whether an object exists at key (S3: HEAD). */
  has(key: string): Promise<boolean>;
  /** Object size in bytes, or null when absent (S3: HEAD Content-Length). */
  size(key: string): Promise<number | null>;
  /** Stores a whole object. Atomic: readers see either nothing or the complete object, also after a
   * crash (local: temp file, fsync, rename; S3: PUT / completed multipart upload). Overwrites. */
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Streams an object. Throws BlobNotFoundError when absent. */
  get(key: string): Promise<Readable>;
  /** Streams `length` bytes from `offset` (S3: GET with Range). Throws BlobNotFoundError when
   * absent; a range past the end yields fewer bytes (the caller checks). */
  getRange(key: string, offset: number, length: number): Promise<Readable>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with prefix, in no particular order (S3: ListObjectsV2). */
  list(prefix: string): AsyncIterable<BlobStoreListing>;
}

const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Keys are lowercase [a-z0-9._-] segments joined by "/": safe as paths and as S3 keys. */
export function assertValidKey(key: string): void {
  if (key.length > 512 || !KEY.test(key) || key.split("/").some((s) => s === "." || s === "..")) {
    throw new Error(`invalid blob store key: ${JSON.stringify(key)}`);
  }
}
