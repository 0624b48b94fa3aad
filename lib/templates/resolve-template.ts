import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { BASE_TEMPLATE, type Rootfs, type TemplateDefaults } from "./schemas";

/** A template by name or id: the tenant's own, or the built-in `base`. */
export async function resolveTemplate(ctx: TenantContext, ref: string): Promise<TemplateDefaults> {
  if (ref === BASE_TEMPLATE.name || ref === BASE_TEMPLATE.id) return BASE_TEMPLATE;
  const row = await ctx.db.template.findFirst({ where: { OR: [{ id: ref }, { name: ref }] } });
  if (!row) throw new AppError("invalid_request", `No template named '${ref}'`, { details: { fields: [{ path: "body.template", message: "unknown template" }] } });
  return {
    id: row.id,
    name: row.name,
    rootfs: row.rootfs as Rootfs,
    vcpu: row.vcpu,
    memoryMib: row.memoryMib,
    diskMib: row.diskMib,
    gpus: row.gpus,
    env: row.env as Record<string, string>,
    network: (row.network ?? null) as TemplateDefaults["network"],
    pauseAfterSeconds: row.pauseAfterSeconds,
    hibernateAfterSeconds: row.hibernateAfterSeconds,
    maxLifetimeSeconds: row.maxLifetimeSeconds,
    retentionDays: row.retentionDays,
  };
}
