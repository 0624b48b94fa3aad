// Where things live inside a BlobStore:
//   packs/<aa>/<packId>.zst        concatenated zstd frames, one per blob (a valid .zst file)
//   indexes/<packId>.json.zst      which blobs a pack holds, at which offsets (written after the pack)
//   manifests/<sha256>.json.zst    a snapshot; its identity is the SHA-256 of the JSON bytes
import { randomBytes } from "node:crypto";

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const PACK_ID = /^[0-9a-f]{32}$/;

export const packKey = (packId: string) => `packs/${packId.slice(0, 2)}/${packId}.zst`;
export const indexKey = (packId: string) => `indexes/${packId}.json.zst`;
export const manifestKey = (hash: string) => `manifests/${hash}.json.zst`;

export const newPackId = () => randomBytes(16).toString("hex");

export function packIdFromIndexKey(key: string): string | null {
  const m = /^indexes\/([0-9a-f]{32})\.json\.zst$/.exec(key);
  return m ? m[1] : null;
}

export function packIdFromPackKey(key: string): string | null {
  const m = /^packs\/[0-9a-f]{2}\/([0-9a-f]{32})\.zst$/.exec(key);
  return m ? m[1] : null;
}

export function manifestHashFromKey(key: string): string | null {
  const m = /^manifests\/([0-9a-f]{64})\.json\.zst$/.exec(key);
  return m ? m[1] : null;
}

export function assertManifestHash(hash: string): void {
  if (!SHA256_HEX.test(hash)) throw new Error(`not a manifest hash: ${JSON.stringify(hash)}`);
}
