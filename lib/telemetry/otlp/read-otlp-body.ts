// Reading an OTLP/HTTP request body: the encoding from Content-Type (415 for anything but
// protobuf or JSON), gzip from Content-Encoding, and two limits: OTLP_MAX_BODY_BYTES on the wire
// and OTLP_MAX_DECODED_BYTES after decompression (413), so a zip bomb stops at the limit.
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { AppError } from "../../api/errors";
import { readLimitedBytes } from "../../api/read-body";
import { otlpTypes } from "./otlp-schema";

export const OTLP_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const OTLP_MAX_DECODED_BYTES = 16 * 1024 * 1024;
export const OTLP_CONTENT_TYPES = ["application/x-protobuf", "application/json"];

export type OtlpEncoding = "protobuf" | "json";
export type OtlpSignal = "traces" | "logs";

const gunzipAsync = promisify(gunzip);

export function otlpEncodingOf(req: Request): OtlpEncoding {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  throw new AppError("unsupported_media_type", "Send OTLP as 'Content-Type: application/x-protobuf' or 'application/json'", {
    details: { contentType: type || null, supported: OTLP_CONTENT_TYPES },
  });
}

export async function readOtlpBody(req: Request): Promise<Uint8Array> {
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "identity") {
    throw new AppError("unsupported_media_type", "Content-Encoding must be gzip or absent", { details: { contentEncoding: encoding } });
  }
  const wire = await readLimitedBytes(req, OTLP_MAX_BODY_BYTES);
  if (encoding === "identity") return wire;
  try {
    return await gunzipAsync(wire, { maxOutputLength: OTLP_MAX_DECODED_BYTES });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw new AppError("payload_too_large", `The decompressed body is larger than ${OTLP_MAX_DECODED_BYTES} bytes`, {
        details: { limit: OTLP_MAX_DECODED_BYTES },
      });
    }
    throw new AppError("invalid_request", `The body is not valid gzip: ${(err as Error).message}`);
  }
}

/**
 * The export request: parsed JSON, or the decoded protobuf message as it is (no conversion to a
 * plain object: otlp-values.ts reads both shapes, which saves a full copy of every request).
 */
export function decodeOtlp(signal: OtlpSignal, body: Uint8Array, encoding: OtlpEncoding): Record<string, unknown> {
  if (encoding === "json") {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch {
      throw new AppError("invalid_request", "The body is not valid JSON");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new AppError("invalid_request", "The body must be a JSON object (an OTLP export request)");
    return value as Record<string, unknown>;
  }
  const type = signal === "traces" ? otlpTypes.traceRequest : otlpTypes.logsRequest;
  try {
    return type.decode(body) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new AppError("invalid_request", `The body is not a valid protobuf ${type.name}: ${(err as Error).message}`);
  }
}
