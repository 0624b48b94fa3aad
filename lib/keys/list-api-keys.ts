import type { z } from "zod";
import type { TenantContext } from "../auth/context";
import { pageArgs, toPage } from "../api/pagination";
import { manageableKeysWhere } from "./key-access";
import { type listApiKeysQuerySchema, toApiKey } from "./schemas";

export async function listApiKeys({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof listApiKeysQuerySchema> }) {
  const now = new Date();
  const statusWhere =
    input.status === "revoked" ? { revokedAt: { not: null } }
    : input.status === "expired" ? { revokedAt: null, expiresAt: { lte: now } }
    : input.status === "active" ? { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }
    : {};
  const args = pageArgs(input);
  const rows = await ctx.db.apiKey.findMany({ ...args, where: { ...args.where, ...statusWhere, ...manageableKeysWhere(ctx) } });
  return toPage(rows, input, (row) => toApiKey(row, now));
}
