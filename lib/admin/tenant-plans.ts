// Platform-admin commands on one tenant's plan and quotas (npm run admin -- set-plan | set-quota).
// They act as the system actor, so the tenant's audit log shows a platform admin made the change.
import { z } from "zod";
import { SCOPES } from "../auth/scopes";
import type { TenantContext } from "../auth/context";
import { setTenantPlan } from "../billing/set-tenant-plan";
import { db } from "../db/client";
import { tenantDb } from "../db/tenant-scope";
import { newId } from "../ids";
import { quotaOverrideSchema, setTenantQuota } from "../quotas/set-tenant-quota";
import { slugSchema } from "../tenants";

const tenantArg = slugSchema.describe("The tenant's slug");

export const setPlanArgsSchema = z.object({ tenant: tenantArg, plan: z.string().trim().min(1).max(64) }).strict();

const count = z.coerce.number().int().min(0);
// Command-line values are strings: --max-vcpu 0.5, --max-snapshot-bytes 53687091200.
export const setQuotaArgsSchema = z
  .object({
    tenant: tenantArg,
    "max-running-sessions": count.optional(),
    "max-vcpu": z.coerce.number().min(0).optional(),
    "max-memory-mib": count.optional(),
    "max-snapshot-bytes": z.string().regex(/^\d+$/, "a whole number of bytes").transform((v) => BigInt(v)).optional(),
    "max-lifetime-seconds": count.optional(),
    clear: z.boolean().optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const limits = Object.keys(a).filter((k) => k.startsWith("max-") && a[k as keyof typeof a] !== undefined);
    if (a.clear && limits.length) ctx.addIssue({ code: "custom", path: ["clear"], message: "either --clear or limits, not both" });
    if (!a.clear && !limits.length) ctx.addIssue({ code: "custom", path: ["max-running-sessions"], message: "give at least one limit, or --clear" });
  });

async function platformAdminContext(slug: string): Promise<TenantContext> {
  // The operator names the tenant by slug: this lookup is what decides the tenant.
  const tenant = await db().tenant.findUnique({ where: { slug } });
  if (!tenant) throw new Error(`No tenant '${slug}'`);
  return {
    tenantId: tenant.id, tenantSlug: tenant.slug, actor: { type: "system", id: null, label: "platform admin" }, role: null,
    scopes: SCOPES, db: tenantDb(tenant.id), ip: null, requestId: newId("req"),
  };
}

export async function adminSetPlan(args: z.infer<typeof setPlanArgsSchema>) {
  const ctx = await platformAdminContext(args.tenant);
  const plan = await setTenantPlan({ ctx, input: { planId: args.plan } });
  return { tenant: ctx.tenantSlug, plan: plan.id };
}

export async function adminSetQuota(args: z.infer<typeof setQuotaArgsSchema>) {
  const ctx = await platformAdminContext(args.tenant);
  const parsed = quotaOverrideSchema.safeParse({
    maxRunningSessions: args["max-running-sessions"],
    maxVcpu: args["max-vcpu"],
    maxMemoryMib: args["max-memory-mib"],
    maxSnapshotBytes: args["max-snapshot-bytes"],
    maxLifetimeSeconds: args["max-lifetime-seconds"],
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join("; "));
  const set = parsed.data;
  const view = await setTenantQuota({ ctx, input: args.clear ? { clear: true } : { set } });
  return { tenant: ctx.tenantSlug, source: view.source, quota: { ...view.quota, maxSnapshotBytes: view.quota.maxSnapshotBytes.toString() } };
}
