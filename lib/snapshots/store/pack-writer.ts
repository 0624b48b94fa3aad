// Collects compressed blobs into packs of about PACK_TARGET_BYTES: a few large objects instead
// of one per file (10,000 small objects cost seconds of fsyncs locally and 10,000 PUTs on S3).
// Each blob stays its own zstd frame, so one can be read alone (ranged GET) or copied by GC.
import { Readable } from "node:stream";
import type { BlobStore } from "./blob-store";
import { newPackId, packKey } from "./keys";
import { type IndexRow, writePackIndex } from "./pack-index";
import type { ZstdRun } from "./zstd";

export const PACK_TARGET_BYTES = 32 << 20;

export type CompressedBlob = { sha256: string; data: Buffer; rawSize: number };

export class PackWriter {
  private parts: Buffer[] = [];
  private rows: IndexRow[] = [];
  private bytes = 0;
  readonly packIds: string[] = [];
  storedBytes = 0;
  newBlobs = 0;
  newBlobBytes = 0;

  constructor(private readonly store: BlobStore, private readonly targetBytes = PACK_TARGET_BYTES) {}

  async add(blobs: CompressedBlob[]): Promise<void> {
    for (const b of blobs) {
      this.rows.push([b.sha256, this.bytes, b.data.length, b.rawSize]);
      this.parts.push(b.data);
      this.bytes += b.data.length;
      this.newBlobs++;
      this.newBlobBytes += b.data.length;
      if (this.bytes >= this.targetBytes) await this.flush();
    }
  }

  /** Stores one large blob as its own pack, streamed from a running zstd. */
  async addStream(sha256: string, rawSize: number, run: ZstdRun): Promise<void> {
    const packId = newPackId();
    let length = 0;
    async function* body() {
      for await (const chunk of run.stdout) {
        length += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      await run.done; // a failed zstd fails the put, so no truncated pack is committed
    }
    await this.store.put(packKey(packId), Readable.from(body(), { objectMode: false }));
    this.storedBytes += length + (await writePackIndex(this.store, { packId, packBytes: length, blobs: [[sha256, 0, length, rawSize]] }));
    this.packIds.push(packId);
    this.newBlobs++;
    this.newBlobBytes += length;
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const packId = newPackId();
    const data = Buffer.concat(this.parts);
    const rows = this.rows;
    this.parts = [];
    this.rows = [];
    this.bytes = 0;
    await this.store.put(packKey(packId), data);
    this.storedBytes += data.length + (await writePackIndex(this.store, { packId, packBytes: data.length, blobs: rows }));
    this.packIds.push(packId);
  }
}
