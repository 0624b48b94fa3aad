// AWS Signature Version 4 for header-authorized requests (what S3-compatible stores accept),
// on node:crypto only. Signs `host`, `x-amz-date` and every header the caller passes; S3 also wants
// `x-amz-content-sha256`, which the caller passes (the S3 store always does).
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
import { createHash, createHmac } from "node:crypto";

export type S3Credentials = { accessKeyId: string; secretAccessKey: string };

export type SignInput = {
  method: string;
  url: URL;
  /** Headers to send and sign (any case); `host` is taken from the URL. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD". */
  payloadHash: string;
  region: string;
  service?: string;
  credentials: S3Credentials;
  now?: Date;
};

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export const sha256Hex = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ is %XX (uppercase);
 * "/" is kept when encoding a path. */
export function uriEncode(value: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams].map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Returns the headers to send: the caller's, plus `x-amz-date` and `authorization` (not `host`:
 * fetch sets it from the URL, and the signature covers the same value). */
export function signRequest(input: SignInput): Record<string, string> {
  const now = input.now ?? new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, ""); // 20130524T000000Z
  const day = amzDate.slice(0, 8);
  const service = input.service ?? "s3";
  const scope = `${day}/${input.region}/${service}/aws4_request`;

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers["x-amz-date"] = amzDate;
  const toSign: Record<string, string> = { ...headers, host: input.url.host };
  const names = Object.keys(toSign).sort();
  const canonicalHeaders = names.map((n) => `${n}:${toSign[n]!.trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");

  // S3 paths are encoded once (the URL's pathname is already percent-encoded: decode it first).
  const path = uriEncode(decodeURIComponent(input.url.pathname || "/"), true);
  const canonicalRequest = [input.method.toUpperCase(), path, canonicalQuery(input.url), canonicalHeaders, signedHeaders, input.payloadHash].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");

  const kDate = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, input.region), service), "aws4_request");
  const signature = hmac(kSigning, stringToSign).toString("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
