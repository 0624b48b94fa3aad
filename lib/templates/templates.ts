// Templates: a tenant's own, plus the built-in `base`. The built-in one cannot be changed.
import type { z } from "zod";
import { AppError, isUniqueViolation, notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { newId } from "../ids";
import { resolveTemplate } from "./resolve-template";
import { BASE_TEMPLATE, type createTemplateSchema, toTemplate, type updateTemplateSchema } from "./schemas";

const builtInIsReadOnly = () => new AppError("conflict", "The built-in `base` template cannot be changed; create your own");

async function ownTemplateOrThrow(ctx: TenantContext, id: string) {
  if (id === BASE_TEMPLATE.id || id === BASE_TEMPLATE.name) throw builtInIsReadOnly();
  const row = await ctx.db.template.findFirst({ where: { OR: [{ id }, { name: id }] } });
  if (!row) throw notFound("Template");
  return row;
}

export async function listTemplates({ ctx }: { ctx: TenantContext }) {
  const rows = await ctx.db.template.findMany({ orderBy: { name: "asc" }, take: 500 });
  const own = await Promise.all(rows.map((r) => resolveTemplate(ctx, r.id)));
  return { data: [toTemplate(BASE_TEMPLATE, true), ...own.map((t) => toTemplate(t))] };
}

export async function getTemplate({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  if (input.id === BASE_TEMPLATE.id || input.id === BASE_TEMPLATE.name) return toTemplate(BASE_TEMPLATE, true);
  await ownTemplateOrThrow(ctx, input.id);
  return toTemplate(await resolveTemplate(ctx, input.id));
}

export async function createTemplate({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof createTemplateSchema> }) {
  try {
    const row = await inTransaction(ctx.db, async (tx) => {
      const created = await tx.template.create({
        data: {
          id: newId("tpl"), tenantId: ctx.tenantId, name: input.name, rootfs: input.rootfs,
          vcpu: input.vcpu ?? BASE_TEMPLATE.vcpu, memoryMib: input.memoryMib ?? BASE_TEMPLATE.memoryMib,
          diskMib: input.diskMib ?? BASE_TEMPLATE.diskMib, gpus: input.gpus ?? 0, env: input.env ?? {},
          pauseAfterSeconds: input.idle?.pauseAfterSeconds !== undefined ? input.idle.pauseAfterSeconds : BASE_TEMPLATE.pauseAfterSeconds,
          hibernateAfterSeconds: input.idle?.hibernateAfterSeconds !== undefined ? input.idle.hibernateAfterSeconds : BASE_TEMPLATE.hibernateAfterSeconds,
          maxLifetimeSeconds: input.maxLifetimeSeconds ?? BASE_TEMPLATE.maxLifetimeSeconds,
          retentionDays: input.retentionDays ?? BASE_TEMPLATE.retentionDays,
        },
      });
      await recordAuditEvent({ ...ctx, db: tx }, { action: "template.created", targetType: "template", targetId: created.id, metadata: { name: input.name } });
      return created;
    });
    return getTemplate({ ctx, input: { id: row.id } });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `A template named '${input.name}' exists`, { details: { fields: [{ path: "body.name", message: "taken" }] } });
    throw err;
  }
}

export async function updateTemplate({ ctx, input }: { ctx: TenantContext; input: { id: string; patch: z.infer<typeof updateTemplateSchema> } }) {
  const row = await ownTemplateOrThrow(ctx, input.id);
  const { idle, ...rest } = input.patch;
  await inTransaction(ctx.db, async (tx) => {
    await tx.template.update({
      where: { id: row.id },
      data: {
        ...rest,
        ...(idle?.pauseAfterSeconds !== undefined ? { pauseAfterSeconds: idle.pauseAfterSeconds } : {}),
        ...(idle?.hibernateAfterSeconds !== undefined ? { hibernateAfterSeconds: idle.hibernateAfterSeconds } : {}),
      },
    });
    await recordAuditEvent({ ...ctx, db: tx }, { action: "template.updated", targetType: "template", targetId: row.id, metadata: { changed: Object.keys(input.patch) } });
  });
  return getTemplate({ ctx, input: { id: row.id } });
}

export async function deleteTemplate({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  const row = await ownTemplateOrThrow(ctx, input.id);
  const view = toTemplate(await resolveTemplate(ctx, row.id));
  await inTransaction(ctx.db, async (tx) => {
    await tx.template.delete({ where: { id: row.id } });
    await recordAuditEvent({ ...ctx, db: tx }, { action: "template.deleted", targetType: "template", targetId: row.id, metadata: { name: row.name } });
  });
  return view;
}
