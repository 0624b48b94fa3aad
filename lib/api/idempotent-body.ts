// An Idempotency-Key on a raw (non-JSON) body, an upload or an image import: the key's fingerprint
// must cover the body's bytes before any work runs (the same key with another archive is a 409,
// not a replay of the first answer), and the handler must still get those bytes. So the body is
// written to a file under DATA_DIR while it is hashed, never held in memory (an image may be
// 2 GiB), and the handler gets a Request that streams that file. Only requests with a key pay for
// the extra copy.
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { env } from "../env";
import { newId } from "../ids";
import { writeLimitedBodyToFile } from "./read-body";

export type SpooledBody = {
  /** The body's SHA-256, as it goes into the request's idempotency fingerprint. */
  digest: string;
  /** The same request, its body now read from the spooled file. */
  request: Request;
  remove: () => Promise<void>;
};

/** Spools `req`'s body (413 past `maxBytes`); call `remove` once the handler is done with it. */
export async function spoolRawBody(req: Request, maxBytes: number): Promise<SpooledBody> {
  const dir = path.resolve(env.DATA_DIR, "idempotent-bodies");
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, newId("req"));
  const remove = () => fsp.rm(file, { force: true });
  const hash = createHash("sha256");
  try {
    await writeLimitedBodyToFile(req, { file, maxBytes, onChunk: (chunk) => hash.update(chunk) });
  } catch (err) {
    await remove();
    throw err;
  }
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
  const request = new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: "half" } as RequestInit);
  return { digest: `sha256:${hash.digest("hex")}`, request, remove };
}
