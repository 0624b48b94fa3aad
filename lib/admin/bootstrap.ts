// `npm run admin -- bootstrap`: a user, a tenant they own, and an all-scopes API key, reusing the
// user and tenant when they exist. For scripted set-ups and tests.
import { z } from "zod";
import { hashPassword } from "../auth/passwords";
import { SCOPES } from "../auth/scopes";
import { db } from "../db/client";
import { tenantDb } from "../db/tenant-scope";
import { newId } from "../ids";
import { createApiKey } from "../keys";
import { createTenantForUser, slugSchema } from "../tenants";

export const bootstrapSchema = z.object({
  email: z.email().transform((e) => e.toLowerCase()),
  password: z.string().min(10, "at least 10 characters"),
  tenant: slugSchema,
});

export async function bootstrap(input: z.infer<typeof bootstrapSchema>) {
  const user =
    (await db().user.findUnique({ where: { email: input.email } })) ??
    (await db().user.create({ data: { id: newId("usr"), email: input.email, passwordHash: await hashPassword(input.password) } }));
  const system = { userId: user.id, email: user.email, ip: null };
  let tenant = await db().tenant.findUnique({ where: { slug: input.tenant } });
  if (!tenant) {
    tenant = await db().$transaction((tx) => createTenantForUser(tx, system, { name: input.tenant, slug: input.tenant }));
  } else {
    await db().membership.upsert({
      where: { tenantId_userId: { tenantId: tenant.id, userId: user.id } },
      create: { id: newId("mem"), tenantId: tenant.id, userId: user.id, role: "owner" },
      update: {},
    });
  }
  const key = await createApiKey({
    ctx: {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      actor: { type: "system", id: null, label: "admin bootstrap" },
      role: null,
      scopes: SCOPES,
      db: tenantDb(tenant.id),
      ip: null,
      requestId: newId("req"),
    },
    input: { name: "bootstrap", scopes: [...SCOPES] },
  });
  return { tenant: tenant.slug, apiKey: key.secret };
}
