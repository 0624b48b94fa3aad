import { z } from "zod";
import { isoInstantSchema } from "../api/input-limits";
import { pageQuerySchema, pageSchema } from "../api/pagination";
import { SCOPES, scopeSchema } from "../auth/scopes";

export const createApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(scopeSchema).min(1).max(SCOPES.length).refine((s) => new Set(s).size === s.length, "scopes must not repeat"),
    expiresAt: isoInstantSchema().optional().describe("When the key stops working (ISO 8601, in the future)"),
  })
  .strict();
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string().describe("The first characters of the secret, to tell keys apart"),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  status: z.enum(["active", "expired", "revoked"]),
  spendLimitCents: z.number().int().nullable().describe("Monthly spend limit of the sessions this key creates, in cents; null = none"),
});

export const createdApiKeySchema = apiKeySchema.extend({
  secret: z.string().describe("The whole key. Shown only in this response; store it now."),
});

export const updateApiKeySchema = z
  .object({
    spendLimitCents: z.number().int().min(0).max(2_000_000_000).nullable()
      .describe("Monthly spend limit in cents for the sessions this key creates (usage at unit prices, no included amounts); null removes it"),
  })
  .strict();
export type UpdateApiKeyInput = z.infer<typeof updateApiKeySchema>;

export const listApiKeysQuerySchema = pageQuerySchema.extend({
  status: z.enum(["active", "expired", "revoked"]).optional(),
}).strict();
export const apiKeyPageSchema = pageSchema(apiKeySchema);

type ApiKeyRow = {
  id: string; name: string; start: string; scopes: string[]; createdAt: Date;
  expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null; spendLimitCents: number | null;
};

export function toApiKey(row: ApiKeyRow, now = new Date()): z.infer<typeof apiKeySchema> {
  return {
    id: row.id,
    name: row.name,
    start: row.start,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    status: row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt <= now ? "expired" : "active",
    spendLimitCents: row.spendLimitCents,
  };
}
