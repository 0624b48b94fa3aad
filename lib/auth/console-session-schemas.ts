// The console sessions a signed-in person sees in their settings, as /api/v1/me/console-sessions answers.
import { z } from "zod";

export const consoleSessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string().describe("Last request with this session's cookie (updated at most once a minute)"),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean().describe("The session this request was made with"),
});
export const consoleSessionListSchema = z.object({ data: z.array(consoleSessionSchema) });
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;
