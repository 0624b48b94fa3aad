// Errors the snapshot store throws. Callers (hibernate/wake) map them to session failure reasons;
// each says what is wrong and where, so an operator can find the bad object.

/** A snapshot cannot be restored as stored: a blob, index or manifest is missing, unreadable or
 * does not match its SHA-256. Nothing was changed in the restore targets or in the store. */
export class SnapshotCorruptError extends Error {
  readonly code = "snapshot_corrupt";
  constructor(
    message: string,
    readonly detail: { manifestHash: string; path?: string; blob?: string; objectKey?: string; reason: string },
  ) {
    super(message);
    this.name = "SnapshotCorruptError";
  }
}

/** A source tree changed while it was being snapshotted (the sandbox must be stopped first). */
export class SnapshotSourceChangedError extends Error {
  readonly code = "snapshot_source_changed";
  constructor(readonly path: string) {
    super(`File changed while the snapshot was written: ${path} (stop the sandbox before hibernating)`);
    this.name = "SnapshotSourceChangedError";
  }
}

/** Bad input or an environment problem (a missing tool, a target that is not a directory, …). */
export class SnapshotStoreError extends Error {
  readonly code = "snapshot_store_error";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SnapshotStoreError";
  }
}

/** BlobStore.get/getRange on a key that does not exist. */
export class BlobNotFoundError extends Error {
  readonly code = "blob_not_found";
  constructor(readonly key: string) {
    super(`No object at key ${key}`);
    this.name = "BlobNotFoundError";
  }
}
