import { z } from "zod";
import { egressPolicySchema, networkSchema, type SessionNetwork } from "../network/schemas";

export const MAX_LIFETIME_SECONDS = 24 * 60 * 60;
export const DEFAULT_LIFETIME_SECONDS = 8 * 60 * 60;

export const resourcesSchema = z
  .object({
    vcpu: z.number().min(0.1).max(64).optional(),
    memoryMib: z.number().int().min(64).max(262_144).optional(),
    diskMib: z.number().int().min(64).max(1_048_576).optional(),
    gpus: z.number().int().min(0).max(16).optional(),
  })
  .strict();

export const idlePolicySchema = z
  .object({
    pauseAfterSeconds: z.number().int().min(1).max(MAX_LIFETIME_SECONDS).nullable().optional(),
    hibernateAfterSeconds: z.number().int().min(1).max(30 * 86_400).nullable().optional(),
  })
  .strict();

export const envSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable names are letters, digits and _").max(128), z.string().max(32_768))
  .refine((e) => Object.keys(e).length <= 200, "at most 200 variables");

export const rootfsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("host") }).strict(),
  z.object({ kind: z.literal("dir"), path: z.string().min(1) }).strict(),
]);
export type Rootfs = z.infer<typeof rootfsSchema>;

export type TemplateDefaults = {
  id: string;
  name: string;
  rootfs: Rootfs;
  vcpu: number;
  memoryMib: number;
  diskMib: number;
  gpus: number;
  env: Record<string, string>;
  /** The default network of its sessions ("none" or a policy); null: the tenant's default. */
  network: SessionNetwork | null;
  pauseAfterSeconds: number | null;
  hibernateAfterSeconds: number | null;
  maxLifetimeSeconds: number;
  retentionDays: number;
};

/** The built-in template every tenant has: the host's /usr and /etc read-only. */
export const BASE_TEMPLATE: TemplateDefaults = {
  id: "tpl_base",
  name: "base",
  rootfs: { kind: "host" },
  vcpu: 1,
  memoryMib: 512,
  diskMib: 2048,
  gpus: 0,
  env: {},
  network: null,
  pauseAfterSeconds: 300,
  hibernateAfterSeconds: 1800,
  maxLifetimeSeconds: DEFAULT_LIFETIME_SECONDS,
  retentionDays: 7,
};

export const templateNameSchema = z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "1 to 63 lowercase letters, digits, . _ -").refine((n) => n !== "base", "`base` is built in");

export const templateFields = {
  vcpu: z.number().min(0.1).max(64),
  memoryMib: z.number().int().min(64).max(262_144),
  diskMib: z.number().int().min(64).max(1_048_576),
  gpus: z.number().int().min(0).max(16),
  env: envSchema,
  network: networkSchema,
  idle: idlePolicySchema,
  maxLifetimeSeconds: z.number().int().min(10).max(MAX_LIFETIME_SECONDS),
  retentionDays: z.number().int().min(1).max(365),
};

export const createTemplateSchema = z
  .object({
    name: templateNameSchema,
    rootfs: z.object({ kind: z.literal("host") }).strict().default({ kind: "host" }).describe("`host` (like base); imported images set their own rootfs"),
    ...Object.fromEntries(Object.entries(templateFields).map(([k, v]) => [k, v.optional()])),
  })
  .strict() as z.ZodType<{
    name: string; rootfs: { kind: "host" }; vcpu?: number; memoryMib?: number; diskMib?: number; gpus?: number;
    env?: Record<string, string>; network?: SessionNetwork; idle?: z.infer<typeof idlePolicySchema>; maxLifetimeSeconds?: number; retentionDays?: number;
  }>;

export const updateTemplateSchema = z
  .object(Object.fromEntries(Object.entries(templateFields).map(([k, v]) => [k, v.optional()])))
  .strict() as z.ZodType<Partial<{
    vcpu: number; memoryMib: number; diskMib: number; gpus: number; env: Record<string, string>; network: SessionNetwork;
    idle: z.infer<typeof idlePolicySchema>; maxLifetimeSeconds: number; retentionDays: number;
  }>>;

export const templateSchema = z.object({
  id: z.string(), name: z.string(), builtIn: z.boolean(), rootfs: z.object({ kind: z.string() }),
  resources: z.object({ vcpu: z.number(), memoryMib: z.number(), diskMib: z.number(), gpus: z.number() }),
  env: z.record(z.string(), z.string()),
  network: z.union([z.literal("none"), egressPolicySchema]).nullable().describe("The default network of its sessions (a session's own `network` replaces it); null: the tenant's default"),
  idle: z.object({ pauseAfterSeconds: z.number().nullable(), hibernateAfterSeconds: z.number().nullable() }),
  maxLifetimeSeconds: z.number(), retentionDays: z.number(),
});
export const templateListSchema = z.object({ data: z.array(templateSchema) });

export function toTemplate(t: TemplateDefaults, builtIn = false): z.infer<typeof templateSchema> {
  return {
    id: t.id, name: t.name, builtIn, rootfs: { kind: t.rootfs.kind },
    resources: { vcpu: t.vcpu, memoryMib: t.memoryMib, diskMib: t.diskMib, gpus: t.gpus },
    env: t.env, network: t.network, idle: { pauseAfterSeconds: t.pauseAfterSeconds, hibernateAfterSeconds: t.hibernateAfterSeconds },
    maxLifetimeSeconds: t.maxLifetimeSeconds, retentionDays: t.retentionDays,
  };
}

/** An uploaded image archive (`docker save` or an OCI layout tarball) may be at most this large. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024 * 1024;
export const IMAGE_CONTENT_TYPES = ["application/x-tar", "application/octet-stream"];

export const importTemplateQuerySchema = z.object({ name: templateNameSchema.describe("Name of the new template") }).strict();

export const importLogEntrySchema = z.object({
  step: z.enum(["upload", "detect", "convert", "config", "unpack", "check", "template"]),
  message: z.string(),
  at: z.string(),
  durationMs: z.number(),
});

export const importedTemplateSchema = templateSchema.extend({
  image: z.object({
    digest: z.string().describe("Manifest digest of the image as stored (OCI)"),
    format: z.enum(["docker-archive", "oci-archive"]),
    workingDir: z.string().nullable(),
    entrypoint: z.array(z.string()).nullable(),
    cmd: z.array(z.string()).nullable(),
    skippedEnv: z.array(z.string()).describe("Env names of the image a sandbox cannot take, left out"),
  }).describe("What the import read from the image; sessions start in /workspace and run commands through exec"),
  importLog: z.array(importLogEntrySchema)
    .describe("The import's steps in order, each with how long it took; a failed import answers the steps so far in error.details.importLog"),
});
