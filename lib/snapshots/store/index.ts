// Snapshot store: content-addressed, zstd-compressed, checksummed snapshots of directory trees
// (a sandbox's overlayfs upper layer and its workspace). No database access: callers keep the
// manifest hashes (the snapshot ids) and say which are live.
export type { BlobStore, BlobStoreListing } from "./blob-store";
export { createLocalDirStore, LocalDirStore } from "./local-dir-store";
export { createS3Store, S3Store, type S3StoreOptions } from "./s3-store";
export { writeSnapshot, type WriteSnapshotOptions, type WriteSnapshotResult } from "./write-snapshot";
export { restoreSnapshot, type RestoreSnapshotOptions, type RestoreSnapshotResult } from "./restore-snapshot";
export { collectGarbage, type CollectGarbageOptions, type CollectGarbageResult } from "./collect-garbage";
export { snapshotSize, type SnapshotSize } from "./snapshot-size";
export { readManifest } from "./manifest";
export { lookupInTree, readSnapshotFileEntry, type TreeLookup } from "./read-snapshot-file";
export type { Manifest, ManifestEntry } from "./manifest-schema";
export { BlobNotFoundError, SnapshotCorruptError, SnapshotSourceChangedError, SnapshotStoreError } from "./errors";
