import { z } from "zod";
import { egressPolicySchema, networkSchema } from "../network/schemas";
import { roleSchema } from "../auth/scopes";

const RESERVED_SLUGS = new Set(["api", "app", "admin", "new", "settings", "signin", "signup", "invite", "t", "www", "burrow"]);

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, "3 to 40 characters: lowercase letters, digits and inner dashes")
  .refine((s) => !RESERVED_SLUGS.has(s), "this slug is reserved");

export const tenantNameSchema = z.string().trim().min(1).max(100);

export const createTenantSchema = z.object({ name: tenantNameSchema, slug: slugSchema }).strict();
const retentionDaysSchema = z.number().int().min(1).max(365);
export const updateTenantSchema = z
  .object({
    name: tenantNameSchema.optional(),
    logRetentionDays: retentionDaysSchema.optional().describe("Days session logs and resource metrics are kept (1–365)"),
    spanRetentionDays: retentionDaysSchema.optional().describe("Days spans (platform and OTLP) are kept (1–365)"),
    network: networkSchema.optional().describe("Default network of sessions whose template sets none (README, \"Network\")"),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "give at least one of name, logRetentionDays, spanRetentionDays, network");
export type UpdateTenantInput = z.infer<typeof updateTenantSchema>;

export const signUpSchema = z
  .object({
    email: z.email().max(254).transform((e) => e.toLowerCase()),
    password: z.string().min(10, "at least 10 characters").max(200),
    name: z.string().trim().max(100).optional(),
    tenantName: tenantNameSchema,
    tenantSlug: slugSchema,
  })
  .strict();
export type SignUpInput = z.infer<typeof signUpSchema>;

export const tenantSchema = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.string() });
export const myTenantSchema = tenantSchema.extend({ role: roleSchema });
/** The tenant with its settings, as GET and PATCH /tenant answer it. */
export const tenantSettingsSchema = tenantSchema.extend({
  logRetentionDays: z.number(), spanRetentionDays: z.number(),
  network: z.union([z.literal("none"), egressPolicySchema]).describe("Default network of sessions whose template sets none"),
});
/** POST /api/auth/signup: the new account and its first tenant. */
export const signedUpSchema = z.object({ user: z.object({ id: z.string(), email: z.string() }), tenant: tenantSchema });
export const myTenantsSchema = z.object({ data: z.array(myTenantSchema) });

export const meSchema = z.object({
  tenant: tenantSchema,
  actor: z.object({ type: z.enum(["user", "key", "system"]), id: z.string().nullable(), label: z.string() }),
  role: roleSchema.nullable(),
  scopes: z.array(z.string()),
});

export function toTenant(row: { id: string; slug: string; name: string; createdAt: Date }) {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.createdAt.toISOString() };
}

export function toTenantSettings(row: { id: string; slug: string; name: string; createdAt: Date; logRetentionDays: number; spanRetentionDays: number; defaultNetwork?: unknown }) {
  return {
    ...toTenant(row), logRetentionDays: row.logRetentionDays, spanRetentionDays: row.spanRetentionDays,
    network: (row.defaultNetwork ?? "none") as z.infer<typeof tenantSettingsSchema>["network"],
  };
}
