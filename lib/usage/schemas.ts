// Request and response shapes of GET /api/v1/usage.
import { z } from "zod";
import { isoInstantSchema } from "../api/input-limits";
import { METERS } from "./meters";

/** The longest range one request may ask for. */
export const MAX_USAGE_RANGE_DAYS = 400;

const isoInstant = (what: string) => isoInstantSchema().optional().describe(what);

export const usageQuerySchema = z
  .object({
    from: isoInstant("Start (ISO 8601, inclusive); default the start of the current calendar month (UTC). An hour counts when it starts in [from, to)"),
    to: isoInstant("End (ISO 8601, exclusive); default the start of the next calendar month (UTC)"),
    granularity: z.enum(["hour", "day"]).default("day").describe("Rows per UTC hour, or per UTC day (the sum of its hours)"),
    groupBy: z.enum(["meter", "session", "template", "apiKey"]).default("meter")
      .describe("What `key` is: the meter, the session id, the template name, or the id of the API key that created the session (\"console\" when none)"),
  })
  .strict();
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const usageRowSchema = z.object({
  start: z.string().describe("Start of the hour or UTC day"),
  key: z.string(),
  meter: z.enum(METERS),
  quantity: z.string().regex(/^\d+(\.\d+)?$/).describe("Exact decimal, in the meter's unit (vCPU-seconds, GiB-seconds, GPU-seconds, GiB-hours, GiB)"),
  amountCents: z.number().int().describe("quantity × the tenant's current plan unit price, in cents rounded half up per row (before included amounts)"),
});

export const usageAnswerSchema = z.object({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(["hour", "day"]),
  groupBy: z.enum(["meter", "session", "template", "apiKey"]),
  data: z.array(usageRowSchema).describe("Ordered by start, key, meter; only rows with usage"),
});
