import { z } from "zod";

export const MAX_PREVIEW_TOKEN_SECONDS = 30 * 24 * 3600;

export const createPreviewTokenSchema = z
  .object({
    expiresInSeconds: z.number().int().min(60).max(MAX_PREVIEW_TOKEN_SECONDS).default(3600)
      .describe("How long the token opens the session's previews (60 s to 30 days; default 1 h)"),
  })
  .strict();

export const createdPreviewTokenSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  token: z.string().describe("Shown once: send it as the X-Burrow-Preview-Token header, or once as ?burrow_preview_token= to get a cookie for that host"),
  expiresAt: z.string(),
  createdAt: z.string(),
});

export const sessionPortSchema = z.object({
  port: z.number().int(),
  address: z.string().nullable().describe("The bound address (0.0.0.0, ::, 127.0.0.1, …); null for a public port nothing listens on now"),
  listening: z.boolean(),
  reachable: z.boolean().describe("Whether the preview proxy can reach it: bound to every address, not only loopback"),
  public: z.boolean().describe("Open without a preview token"),
  url: z.string(),
});

export const sessionPortListSchema = z.object({
  data: z.array(sessionPortSchema),
  state: z.string().describe("The session's state when read"),
});

export const portParamSchema = z.coerce.number().int().min(1).max(65535);

export const setPortVisibilitySchema = z
  .object({ public: z.boolean().describe("true: anyone with the URL opens it (and wakes the session); false: a preview token is needed") })
  .strict();

export const portVisibilitySchema = z.object({ port: z.number().int(), public: z.boolean(), url: z.string() });
