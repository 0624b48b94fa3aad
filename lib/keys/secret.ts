// API key secrets: `bur_` + 32 random bytes in base62. Only the SHA-256 of the whole secret is
// stored (unique index), plus its first characters so people can tell keys apart.
import { createHash, randomBytes } from "node:crypto";

export const KEY_PREFIX = "bur_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function generateKeySecret(): string {
  let n = BigInt("0x" + randomBytes(32).toString("hex"));
  let body = "";
  while (body.length < 43) {
    body = BASE62[Number(n % 62n)] + body;
    n /= 62n;
  }
  return KEY_PREFIX + body;
}

export function hashKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function keyStart(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 6);
}

export function looksLikeKeySecret(value: string): boolean {
  return /^bur_[0-9A-Za-z]{43}$/.test(value);
}
