// Reads and validates a JSON request body: size-limited while streaming (413), JSON only (415),
// well-formed (400) and matching the endpoint's schema (400 with the failing fields). Raw bodies
// (files, image archives) are read the same limited way, into memory or streamed to a file.
import fs from "node:fs/promises";
import type { z } from "zod";
import { AppError } from "./errors";
import { assertJsonDepth, assertSafeJson, assertSafeStrings } from "./input-limits";

export async function readJsonBody(req: Request, maxBytes: number): Promise<{ value: unknown; raw: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'");
  }
  const raw = await readLimited(req, maxBytes);
  if (raw.trim() === "") throw new AppError("invalid_request", "The request body is empty; send a JSON object");
  assertJsonDepth(raw);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError("invalid_request", "The request body is not valid JSON");
  }
  assertSafeJson(value, "body");
  return { value, raw };
}

async function readLimited(req: Request, maxBytes: number): Promise<string> {
  return Buffer.from(await readLimitedBytes(req, maxBytes)).toString("utf8");
}

/** The raw request body, refused with 413 as soon as it passes `maxBytes`. */
export async function readLimitedBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Streams the raw request body into a new file (0600), never holding it in memory: 415 unless its
 * Content-Type is one of `contentTypes` (any, without them), 413 as soon as it passes `maxBytes`
 * (the partial file is left for the caller to remove). `onChunk` sees every chunk as it is written
 * (to hash the body on the way). Returns the number of bytes written.
 */
export async function writeLimitedBodyToFile(
  req: Request,
  opts: { file: string; maxBytes: number; contentTypes?: string[]; onChunk?: (chunk: Uint8Array) => void },
): Promise<number> {
  const contentType = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (opts.contentTypes && !opts.contentTypes.includes(contentType)) {
    throw new AppError("unsupported_media_type", `Send the body as raw bytes with 'Content-Type: ${opts.contentTypes.join("' or '")}'`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > opts.maxBytes) throw tooLarge(opts.maxBytes);
  const out = await fs.open(opts.file, "wx", 0o600);
  let size = 0;
  try {
    if (!req.body) return 0;
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => {
        throw new AppError("invalid_request", "The request body ended before it was complete; send it again");
      });
      if (done) break;
      size += value.byteLength;
      if (size > opts.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(opts.maxBytes);
      }
      opts.onChunk?.(value);
      for (let off = 0; off < value.byteLength; ) off += (await out.write(value, off, value.byteLength - off)).bytesWritten;
    }
  } finally {
    await out.close();
  }
  return size;
}

function tooLarge(maxBytes: number) {
  return new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes`, { details: { limit: maxBytes } });
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: "body" | "query"): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
  throw new AppError("invalid_request", `Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`, {
    details: { fields },
  });
}

export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) throw new AppError("invalid_request", `Query parameter '${k}' is given more than once`);
    out[k] = v;
  }
  assertSafeStrings(out, "query");
  return out;
}
