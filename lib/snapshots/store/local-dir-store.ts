// BlobStore on a local directory (by default DATA_DIR/snapshots; the caller picks the root).
// put = write to <root>/.tmp/<random>, fsync, rename into place, fsync the directory: after a
// crash an object is either complete or absent. Stale temp files are removed by sweepTemp().
// Packs hold tenants' files: objects are 0600 and directories 0700 (owner only, whatever the
// umask); restrictModes() tightens a store written before that.
import { randomBytes } from "node:crypto";
import fs, { type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { assertValidKey, type BlobStore, type BlobStoreListing } from "./blob-store";
import { BlobNotFoundError } from "./errors";

const TMP = ".tmp";
const MAX_LIST_DEPTH = 8;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export class LocalDirStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private file(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async size(key: string): Promise<number | null> {
    try {
      const st = await fs.lstat(this.file(key));
      return st.isFile() ? st.size : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const final = this.file(key);
    const tmpDir = path.join(this.root, TMP);
    await fs.mkdir(tmpDir, { recursive: true, mode: DIR_MODE });
    const tmp = path.join(tmpDir, `${randomBytes(12).toString("hex")}.part`);
    const fh = await fs.open(tmp, "wx", FILE_MODE);
    try {
      try {
        if (Buffer.isBuffer(body)) await fh.writeFile(body);
        else for await (const chunk of body) await writeFully(fh, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
        await fh.sync();
      } finally {
        await fh.close();
      }
      const dir = path.dirname(final);
      await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
      await fs.rename(tmp, final);
      await fsyncDir(dir);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    return this.open(key, 0, undefined);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new Error(`bad range ${offset}+${length}`);
    }
    if (length === 0) return Readable.from([]);
    return this.open(key, offset, offset + length - 1);
  }

  private async open(key: string, start: number, end: number | undefined): Promise<Readable> {
    const fh = await fs.open(this.file(key), "r").catch((err) => {
      throw isNotFound(err) ? new BlobNotFoundError(key) : err;
    });
    return fh.createReadStream({ start, end, highWaterMark: 1 << 20 });
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<BlobStoreListing> {
    // Walk only the directory the prefix names (keys are paths), then filter by the full prefix.
    const slash = prefix.lastIndexOf("/");
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : "";
    const start = dirKey ? this.file(dirKey) : this.root;
    const stack: { dir: string; key: string; depth: number }[] = [{ dir: start, key: dirKey, depth: 0 }];
    while (stack.length) {
      const { dir, key, depth } = stack.pop()!;
      let names: import("node:fs").Dirent[];
      try {
        names = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isNotFound(err) || (err as NodeJS.ErrnoException).code === "ENOTDIR") continue;
        throw err;
      }
      for (const d of names) {
        if (!key && d.name === TMP) continue;
        const childKey = key ? `${key}/${d.name}` : d.name;
        if (d.isDirectory()) {
          if (depth < MAX_LIST_DEPTH && (childKey.startsWith(prefix) || prefix.startsWith(`${childKey}/`))) {
            stack.push({ dir: path.join(dir, d.name), key: childKey, depth: depth + 1 });
          }
        } else if (d.isFile() && childKey.startsWith(prefix)) {
          const st = await fs.lstat(path.join(dir, d.name)).catch(() => null);
          if (st) yield { key: childKey, size: st.size, modifiedAt: st.mtimeMs };
        }
      }
    }
  }

  /** Takes group and other permissions off the root and everything under it (a store written
   * before objects were owner-only). Returns how many entries changed. */
  async restrictModes(): Promise<number> {
    let changed = 0;
    const stack: { dir: string; depth: number }[] = [{ dir: this.root, depth: 0 }];
    const restrict = async (p: string, mode: number, wanted: number) => {
      if ((mode & 0o077) === 0) return;
      await fs.chmod(p, wanted);
      changed++;
    };
    const rootStat = await fs.lstat(this.root).catch(() => null);
    if (!rootStat?.isDirectory()) return 0;
    await restrict(this.root, rootStat.mode, DIR_MODE);
    while (stack.length) {
      const { dir, depth } = stack.pop()!;
      for (const d of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(dir, d.name);
        const st = await fs.lstat(p).catch(() => null);
        if (st?.isDirectory()) {
          await restrict(p, st.mode, DIR_MODE);
          if (depth < MAX_LIST_DEPTH) stack.push({ dir: p, depth: depth + 1 });
        } else if (st?.isFile()) await restrict(p, st.mode, FILE_MODE);
      }
    }
    return changed;
  }

  /** Removes temp files of puts that never finished (a crash); call when no put is running. */
  async sweepTemp(): Promise<number> {
    const dir = path.join(this.root, TMP);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const n of names) await fs.rm(path.join(dir, n), { force: true });
    return names.length;
  }
}

export const createLocalDirStore = (root: string): BlobStore => new LocalDirStore(root);

async function writeFully(fh: FileHandle, data: Buffer): Promise<void> {
  for (let off = 0, guard = 0; off < data.length; guard++) {
    if (guard > 1 << 20) throw new Error("write loop did not end");
    off += (await fh.write(data, off, data.length - off)).bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === "ENOENT";
}
