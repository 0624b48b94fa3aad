import { z } from "zod";
import { isoInstantSchema } from "../api/input-limits";
import { MAX_POINTS } from "./time-range";

const isoInstant = (what: string) => isoInstantSchema().optional().describe(what);

export const sessionMetricsQuerySchema = z
  .object({
    from: isoInstant("Start of the range (ISO 8601, inclusive); default one hour before `to`"),
    to: isoInstant("End of the range (ISO 8601, exclusive); default now"),
  })
  .strict();

export const sessionMetricPointSchema = z.object({
  at: z.string().describe("The sample's instant, or the start of its bucket"),
  cpuVcpu: z.number().describe("CPU used, in vCPUs (1.0 = one core busy); a bucket's average"),
  memoryBytes: z.number().describe("Memory in use; a bucket's maximum"),
  pids: z.number().describe("Processes and threads; a bucket's maximum"),
  samples: z.number().describe("How many samples the point stands for"),
});

export const sessionMetricsSchema = z.object({
  sessionId: z.string(),
  from: z.string(),
  to: z.string(),
  bucketSeconds: z
    .number()
    .nullable()
    .describe(`null: every raw sample (the range holds at most ${MAX_POINTS}); else samples aggregated into buckets of this width`),
  data: z.array(sessionMetricPointSchema),
});

export const concurrencyQuerySchema = z
  .object({
    from: isoInstant("Start of the range (ISO 8601, inclusive); default 24 hours before `to`"),
    to: isoInstant("End of the range (ISO 8601, exclusive); default now"),
    step: z.coerce.number().int().min(1).max(86_400 * 31).optional()
      .describe(`Bucket width in seconds; default the narrowest readable width giving at most ${MAX_POINTS} buckets`),
  })
  .strict();

export const concurrencySchema = z.object({
  from: z.string(),
  to: z.string(),
  stepSeconds: z.number(),
  data: z.array(z.object({
    at: z.string().describe("Start of the bucket"),
    running: z.number().describe("The most sessions running at the same instant in the bucket"),
    paused: z.number().describe("The most sessions paused at the same instant in the bucket"),
  })),
});
