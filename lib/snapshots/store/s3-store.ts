// BlobStore on S3-compatible object storage (AWS S3, MinIO, R2, …) over node's fetch, signed with
// SigV4 (./s3-signing). put = one PUT up to partSize, else a multipart upload (parts buffered one at
// a time, so memory per put is one part); S3 makes either visible only when complete, so puts are
// atomic. A failed multipart upload is aborted; one cut off by a crash stays invisible and is
// removed by the bucket's AbortIncompleteMultipartUpload lifecycle rule (set one).
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { assertValidKey, type BlobStore, type BlobStoreListing } from "./blob-store";
import { BlobNotFoundError, SnapshotStoreError } from "./errors";
import { EMPTY_SHA256, sha256Hex, signRequest, uriEncode, type S3Credentials } from "./s3-signing";

export type S3StoreOptions = S3Credentials & {
  bucket: string;
  /** e.g. http://127.0.0.1:9000; default https://s3.<region>.amazonaws.com */
  endpoint?: string;
  region?: string;
  /** Prepended to every key ("burrow/" → "burrow/packs/…"); slashes are normalized. */
  prefix?: string;
  /** <endpoint>/<bucket>/<key> (MinIO, s3rver) instead of <bucket>.<endpoint host>/<key>. Default true. */
  forcePathStyle?: boolean;
  /** Bodies up to this size are one PUT; bigger ones are uploaded in parts of this size (≥ 5 MiB on S3). */
  partSize?: number;
  /** ListObjectsV2 max-keys (S3 caps it at 1000). */
  listPageSize?: number;
};

const MAX_ATTEMPTS = 3;
const MAX_LIST_PAGES = 1_000_000;
const MAX_PARTS = 10_000;

type Call = { method: string; key?: string; query?: Record<string, string>; headers?: Record<string, string>; body?: Buffer; okStatuses?: number[] };

export class S3Store implements BlobStore {
  private readonly base: URL;
  private readonly bucketPath: string;
  private readonly prefix: string;
  private readonly region: string;
  private readonly credentials: S3Credentials;
  private readonly partSize: number;
  private readonly listPageSize: number;

  constructor(opts: S3StoreOptions) {
    if (!opts.bucket) throw new SnapshotStoreError("S3 store: bucket is required");
    if (!opts.accessKeyId || !opts.secretAccessKey) throw new SnapshotStoreError("S3 store: access key id and secret access key are required");
    this.region = opts.region || "us-east-1";
    const endpoint = new URL(opts.endpoint || `https://s3.${this.region}.amazonaws.com`);
    const pathStyle = opts.forcePathStyle ?? true;
    this.base = pathStyle ? endpoint : new URL(`${endpoint.protocol}//${opts.bucket}.${endpoint.host}`);
    this.bucketPath = `${endpoint.pathname.replace(/\/+$/, "")}${pathStyle ? `/${uriEncode(opts.bucket, false)}` : ""}`;
    const p = (opts.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.prefix = p ? `${p}/` : "";
    this.credentials = { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey };
    this.partSize = opts.partSize ?? 16 << 20;
    this.listPageSize = Math.min(Math.max(opts.listPageSize ?? 1000, 1), 1000);
  }

  async has(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async size(key: string): Promise<number | null> {
    const res = await this.call({ method: "HEAD", key, okStatuses: [200, 404] });
    await drain(res);
    if (res.status === 404) return null;
    const n = Number(res.headers.get("content-length"));
    if (!Number.isSafeInteger(n) || n < 0) throw new SnapshotStoreError(`S3 HEAD ${key}: no valid Content-Length`);
    return n;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    assertValidKey(key);
    if (Buffer.isBuffer(body)) {
      if (body.length <= this.partSize) return this.putOnce(key, body);
      return this.putMultipart(key, bufferParts(body, this.partSize));
    }
    // Read up to one part: a small stream is a single PUT, a bigger one goes up part by part.
    const parts = streamParts(body, this.partSize);
    try {
      const first = await parts.next();
      if (first.done) return await this.putOnce(key, Buffer.alloc(0));
      const second = await parts.next();
      if (second.done) return await this.putOnce(key, first.value);
      await this.putMultipart(key, (async function* () {
        yield first.value;
        yield second.value;
        yield* parts;
      })());
    } finally {
      await parts.return(undefined); // stops reading the source if the upload failed early
    }
  }

  private async putOnce(key: string, body: Buffer): Promise<void> {
    await drain(await this.call({ method: "PUT", key, body, headers: { "content-type": "application/octet-stream" } }));
  }

  private async putMultipart(key: string, parts: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const created = await this.call({ method: "POST", key, query: { uploads: "" }, headers: { "content-type": "application/octet-stream" } });
    const uploadId = xmlValues(await created.text(), "UploadId")[0];
    if (!uploadId) throw new SnapshotStoreError(`S3 CreateMultipartUpload ${key}: no UploadId in the response`);
    try {
      const etags: string[] = [];
      for await (const part of parts) {
        if (etags.length >= MAX_PARTS) throw new SnapshotStoreError(`S3 put ${key}: more than ${MAX_PARTS} parts (raise partSize)`);
        const res = await this.call({ method: "PUT", key, query: { partNumber: String(etags.length + 1), uploadId }, body: part });
        const etag = res.headers.get("etag");
        await drain(res);
        if (!etag) throw new SnapshotStoreError(`S3 UploadPart ${key}: no ETag in the response`);
        etags.push(etag);
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(e)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
      const done = await this.call({ method: "POST", key, query: { uploadId }, body: Buffer.from(xml), headers: { "content-type": "application/xml" } });
      // CompleteMultipartUpload can fail with 200 and an <Error> body.
      const text = await done.text();
      if (/<Error>/.test(text)) throw new SnapshotStoreError(`S3 CompleteMultipartUpload ${key}: ${xmlValues(text, "Code")[0] ?? "error"}: ${xmlValues(text, "Message")[0] ?? ""}`);
    } catch (err) {
      await this.call({ method: "DELETE", key, query: { uploadId }, okStatuses: [200, 204, 404] }).then(drain, () => {});
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    const res = await this.call({ method: "GET", key, okStatuses: [200, 404] });
    if (res.status === 404) {
      await drain(res);
      throw new BlobNotFoundError(key);
    }
    return toReadable(res);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new Error(`bad range ${offset}+${length}`);
    }
    if (length === 0) {
      if (!(await this.has(key))) throw new BlobNotFoundError(key);
      return Readable.from([]);
    }
    const res = await this.call({ method: "GET", key, headers: { range: `bytes=${offset}-${offset + length - 1}` }, okStatuses: [206, 200, 404, 416] });
    if (res.status === 404) {
      await drain(res);
      throw new BlobNotFoundError(key);
    }
    if (res.status === 416) {
      await drain(res);
      return Readable.from([]); // the range starts past the end: fewer bytes, the caller checks
    }
    if (res.status === 200) {
      await drain(res);
      throw new SnapshotStoreError(`S3 GET ${key}: the server ignored the Range header`);
    }
    return toReadable(res);
  }

  async delete(key: string): Promise<void> {
    await drain(await this.call({ method: "DELETE", key, okStatuses: [200, 204, 404] }));
  }

  async *list(prefix: string): AsyncIterable<BlobStoreListing> {
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query: Record<string, string> = { "list-type": "2", prefix: this.prefix + prefix, "max-keys": String(this.listPageSize) };
      if (token) query["continuation-token"] = token;
      const xml = await (await this.call({ method: "GET", query })).text();
      for (const block of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
        const fullKey = xmlValues(block, "Key")[0];
        if (fullKey === undefined || !fullKey.startsWith(this.prefix)) continue;
        yield { key: fullKey.slice(this.prefix.length), size: Number(xmlValues(block, "Size")[0] ?? 0), modifiedAt: Date.parse(xmlValues(block, "LastModified")[0] ?? "") || 0 };
      }
      if (xmlValues(xml, "IsTruncated")[0] !== "true") return;
      const next = xmlValues(xml, "NextContinuationToken")[0];
      if (!next || next === token) throw new SnapshotStoreError(`S3 list ${prefix}: truncated listing without a new continuation token`);
      token = next;
    }
    throw new SnapshotStoreError(`S3 list ${prefix}: more than ${MAX_LIST_PAGES} pages`);
  }

  private url(key: string | undefined, query: Record<string, string> = {}): URL {
    if (key !== undefined) assertValidKey(key);
    const path = key === undefined ? this.bucketPath || "/" : `${this.bucketPath}/${uriEncode(this.prefix + key, true)}`;
    const url = new URL(path, this.base);
    // URLSearchParams encodes spaces as "+"; build the query with SigV4's encoding instead.
    url.search = Object.entries(query).map(([k, v]) => (v === "" && k === "uploads" ? k : `${uriEncode(k, false)}=${uriEncode(v, false)}`)).join("&");
    return url;
  }

  /** One signed request; retried on network errors and 5xx (every body here is a Buffer). */
  private async call(c: Call): Promise<Response> {
    const url = this.url(c.key, c.query);
    const ok = c.okStatuses ?? [200, 204, 206];
    const payloadHash = c.body ? sha256Hex(c.body) : EMPTY_SHA256;
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      const headers = signRequest({ method: c.method, url, headers: { ...c.headers, "x-amz-content-sha256": payloadHash }, payloadHash, region: this.region, credentials: this.credentials });
      let res: Response;
      try {
        res = await fetch(url, { method: c.method, headers, body: c.body ? new Uint8Array(c.body.buffer as ArrayBuffer, c.body.byteOffset, c.body.length) : undefined });
      } catch (err) {
        lastError = err;
        continue;
      }
      if (ok.includes(res.status)) return res;
      const text = await res.text().catch(() => "");
      lastError = new SnapshotStoreError(`S3 ${c.method} ${c.key ?? this.bucketPath}: HTTP ${res.status} ${xmlValues(text, "Code")[0] ?? ""} ${xmlValues(text, "Message")[0] ?? ""}`.trim());
      if (res.status < 500) break;
    }
    throw lastError instanceof SnapshotStoreError ? lastError : new SnapshotStoreError(`S3 ${c.method} ${c.key ?? this.bucketPath}: ${String(lastError)}`, { cause: lastError });
  }
}

export const createS3Store = (opts: S3StoreOptions): BlobStore => new S3Store(opts);

/** Frees the connection of a response whose body is not needed. */
async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

function toReadable(res: Response): Readable {
  if (!res.body) return Readable.from([]);
  return Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>, { highWaterMark: 1 << 20 });
}

function* bufferParts(body: Buffer, size: number): Iterable<Buffer> {
  for (let off = 0; off < body.length; off += size) yield body.subarray(off, off + size);
}

async function* streamParts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let have = 0;
  for await (const chunk of body) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    while (have + buf.length >= size) {
      const take = size - have;
      chunks.push(buf.subarray(0, take));
      yield Buffer.concat(chunks);
      buf = buf.subarray(take);
      chunks = [];
      have = 0;
    }
    if (buf.length) {
      chunks.push(buf);
      have += buf.length;
    }
  }
  if (have) yield Buffer.concat(chunks);
}

/** Text of every <tag>…</tag> (flat, no attributes: enough for S3's list and upload responses). */
function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => unescapeXml(m[1]!));
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === "lt" ? "<" : e === "gt" ? ">" : e === "amp" ? "&" : e === "quot" ? '"' : e === "apos" ? "'" : String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
