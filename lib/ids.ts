// Prefixed, time-sortable ids (`key_01J…`): 48 bits of milliseconds then 80 random bits in
// Crockford base32, so ordering by id is ordering by creation, which cursor pagination relies on.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export type IdPrefix = "usr" | "ten" | "mem" | "inv" | "key" | "aud" | "req" | "ses" | "sev" | "snp" | "tpl" | "run" | "exe" | "trm" | "bal" | "ivc" | "sia" | "cse" | "pvt" | "pol";

export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = "";
  for (let i = 0; i < 16; i++) random += ALPHABET[bytes[i] % 32];
  return `${prefix}_${time}${random}`;
}

export const idPattern = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;
