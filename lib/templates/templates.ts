// Templates: a tenant's own, plus the built-in `base`. The built-in one cannot be changed.
import type { z } from "zod";
import { AppError, isUniqueViolation, notFound } from "../api/errors";
import type { TenantContext } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { newId } from "../ids";
import { resolveTemplate } from "./resolve-template";
import { BASE_TEMPLATE, type createTemplateSchema, type Rootfs, toTemplate, type updateTemplateSchema } from "./schemas";

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

/** A new template's fields: as the API takes them, with any rootfs (an import brings a "dir"). */
export type NewTemplate = Omit<z.infer<typeof createTemplateSchema>, "rootfs"> & { rootfs: Rootfs };

export const templateNameTaken = (name: string, field = "body.name") =>
  new AppError("conflict", `A template named '${name}' exists`, { details: { fields: [{ path: field, message: "taken" }] } });

/** The row and its `template.created` audit event in one transaction; a taken name is 409. */
export async function insertTemplate(
  ctx: TenantContext,
  input: NewTemplate,
  opts: { id?: string; auditMetadata?: Record<string, unknown>; nameField?: string } = {},
) {
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const created = await tx.template.create({
        data: {
          id: opts.id ?? newId("tpl"), tenantId: ctx.tenantId, name: input.name, rootfs: input.rootfs,
          vcpu: input.vcpu ?? BASE_TEMPLATE.vcpu, memoryMib: input.memoryMib ?? BASE_TEMPLATE.memoryMib,
          diskMib: input.diskMib ?? BASE_TEMPLATE.diskMib, gpus: input.gpus ?? 0, env: input.env ?? {},
          ...(input.network !== undefined ? { network: input.network } : {}),
          pauseAfterSeconds: input.idle?.pauseAfterSeconds !== undefined ? input.idle.pauseAfterSeconds : BASE_TEMPLATE.pauseAfterSeconds,
          hibernateAfterSeconds: input.idle?.hibernateAfterSeconds !== undefined ? input.idle.hibernateAfterSeconds : BASE_TEMPLATE.hibernateAfterSeconds,
          maxLifetimeSeconds: input.maxLifetimeSeconds ?? BASE_TEMPLATE.maxLifetimeSeconds,
          retentionDays: input.retentionDays ?? BASE_TEMPLATE.retentionDays,
        },
      });
      await recordAuditEvent({ ...ctx, db: tx }, {
        action: "template.created", targetType: "template", targetId: created.id, metadata: { name: input.name, ...opts.auditMetadata },
      });
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw templateNameTaken(input.name, opts.nameField);
    throw err;
  }
}

export async function createTemplate({ ctx, input }: { ctx: TenantContext; input: z.infer<typeof createTemplateSchema> }) {
  const row = await insertTemplate(ctx, input);
  return getTemplate({ ctx, input: { id: row.id } });
}

export async function updateTemplate({ ctx, input }: { ctx: TenantContext; input: { id: string; patch: z.infer<typeof updateTemplateSchema> } }) {
  const row = await ownTemplateOrThrow(ctx, input.id);
  const { idle, network, ...rest } = input.patch;
  await inTransaction(ctx.db, async (tx) => {
    await tx.template.update({
      where: { id: row.id },
      data: {
        ...rest,
        ...(network !== undefined ? { network } : {}),
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
