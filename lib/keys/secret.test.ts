import { describe, expect, it } from "vitest";
import { generateKeySecret, hashKeySecret, keyStart, looksLikeKeySecret } from "./secret";

describe("API key secrets", () => {
  it("look like bur_ plus 43 base62 characters and never repeat", () => {
    const secrets = Array.from({ length: 1_000 }, generateKeySecret);
    for (const s of secrets) expect(looksLikeKeySecret(s)).toBe(true);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it("hash to SHA-256 hex and show only a short start", () => {
    const s = generateKeySecret();
    expect(hashKeySecret(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKeySecret(s)).not.toBe(hashKeySecret(generateKeySecret()));
    expect(keyStart(s)).toBe(s.slice(0, 10));
  });

  it("rejects other shapes", () => {
    for (const bad of ["", "bur_", "bur_short", `sk_${"a".repeat(43)}`, `bur_${"a".repeat(42)}!`]) expect(looksLikeKeySecret(bad)).toBe(false);
  });
});
