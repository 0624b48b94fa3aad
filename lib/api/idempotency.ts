// Idempotency-Key on POST: the first answer to a (tenant, key) is stored for 24 hours and replayed
// for the same request; the same key with a different request is a conflict. A placeholder row is
// claimed before the work runs, so two concurrent retries cannot both do it.
import { createHash } from "node:crypto";
import type { TenantContext } from "../auth/context";
import { AppError, isUniqueViolation } from "./errors";

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const IN_PROGRESS = 0;

export type StoredAnswer = { status: number; body: unknown };

export function requestFingerprint(method: string, path: string, rawBody: string): string {
  return createHash("sha256").update(`${method} ${path}\n${rawBody}`).digest("hex");
}

export async function withIdempotency(
  ctx: TenantContext,
  key: string,
  req: { method: string; path: string; rawBody: string },
  run: () => Promise<StoredAnswer>,
): Promise<StoredAnswer & { replayed: boolean }> {
  if (key.length < 1 || key.length > 255) throw new AppError("invalid_request", "Idempotency-Key must be 1 to 255 characters");
  const bodyHash = requestFingerprint(req.method, req.path, req.rawBody);
  const since = new Date(Date.now() - IDEMPOTENCY_WINDOW_MS);
  // An expired record no longer counts; clear it so the key can be claimed afresh.
  await ctx.db.idempotencyRecord.deleteMany({ where: { key, createdAt: { lt: since } } });
  try {
    await ctx.db.idempotencyRecord.create({
      data: { tenantId: ctx.tenantId, key, method: req.method, path: req.path, bodyHash, status: IN_PROGRESS, responseBody: {} },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await ctx.db.idempotencyRecord.findFirst({ where: { key } });
    if (!existing) throw new AppError("conflict", "A request with this Idempotency-Key was just retried; try again");
    if (existing.bodyHash !== bodyHash) {
      throw new AppError("conflict", "This Idempotency-Key was used for a different request");
    }
    if (existing.status === IN_PROGRESS) {
      throw new AppError("conflict", "A request with this Idempotency-Key is still in progress", { headers: { "Retry-After": "1" } });
    }
    return { status: existing.status, body: existing.responseBody, replayed: true };
  }
  try {
    const answer = await run();
    await ctx.db.idempotencyRecord.updateMany({ where: { key }, data: { status: answer.status, responseBody: answer.body as object } });
    return { ...answer, replayed: false };
  } catch (err) {
    // Failed requests are not remembered: the caller may fix the problem and retry with the same key.
    await ctx.db.idempotencyRecord.deleteMany({ where: { key } }).catch(() => {});
    throw err;
  }
}
