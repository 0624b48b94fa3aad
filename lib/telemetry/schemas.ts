// The trace API's request and response shapes. Times: `startNs`/`endNs` are Unix nanoseconds as
// decimal strings (exact), `startTime` the same instant in ISO 8601, `durationMs` a float.
import { z } from "zod";
import { isoInstantSchema, nanosCursorSchema } from "../api/input-limits";

const traceIdSchema = z.string().describe("32 lowercase hex characters");
const isoInstant = (what: string) => isoInstantSchema().optional().describe(what);
const includeReads = z.stringbool().default(true)
  .describe("false leaves out the platform's spans of read-only API requests (GET), e.g. a console polling a page, of OTLP exports, and of a web terminal's keystrokes, resizes and output");
const durationMs = (what: string) => z.coerce.number().min(0).max(86_400_000).optional().describe(what);

export const spanEventSchema = z.object({ timeNs: z.string(), name: z.string(), attributes: z.record(z.string(), z.unknown()) });

export const spanSchema = z.object({
  traceId: traceIdSchema,
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  sessionId: z.string().nullable(),
  name: z.string(),
  kind: z.enum(["internal", "server", "client", "producer", "consumer"]),
  source: z.enum(["platform", "otlp"]).describe("platform: recorded by Burrow itself; otlp: sent by an exporter"),
  serviceName: z.string().nullable(),
  startNs: z.string(),
  endNs: z.string(),
  startTime: z.string(),
  durationMs: z.number(),
  status: z.object({ code: z.enum(["unset", "ok", "error"]), message: z.string().nullable() }),
  attributes: z.record(z.string(), z.unknown()),
  events: z.array(spanEventSchema),
  resource: z.record(z.string(), z.unknown()),
});
export type SpanView = z.infer<typeof spanSchema>;

export const traceSummarySchema = z.object({
  traceId: traceIdSchema,
  rootName: z.string().describe("The root span's name (the earliest span when the root is not stored)"),
  serviceName: z.string().nullable(),
  startTime: z.string(),
  startNs: z.string(),
  durationMs: z.number(),
  spanCount: z.number(),
  hasError: z.boolean(),
  sessionId: z.string().nullable().describe("A session one of its spans is joined to"),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;

export const listTracesQuerySchema = z
  .object({
    sessionId: z.string().regex(/^ses_[0-9A-Z]{26}$/, "a session id").optional().describe("Only traces with a span joined to this session"),
    from: isoInstant("Traces starting at or after this time (ISO 8601); default 24 hours before `to`, or all time with `sessionId`"),
    to: isoInstant("Traces starting before this time (ISO 8601); default now"),
    includeReads,
    status: z.enum(["ok", "error"]).optional().describe("error: traces with a span in error; ok: traces without one"),
    name: z.string().trim().min(1).max(200).optional().describe("Part of the root span's name, case-insensitive"),
    minDurationMs: durationMs("Traces lasting at least this many milliseconds"),
    maxDurationMs: durationMs("Traces lasting at most this many milliseconds"),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: nanosCursorSchema(32).optional(),
  })
  .strict();
export type ListTracesQuery = z.infer<typeof listTracesQuerySchema>;
export const tracePageSchema = z.object({ data: z.array(traceSummarySchema), nextCursor: z.string().nullable() });

export const traceSchema = z.object({ traceId: traceIdSchema, spans: z.array(spanSchema) });

export const MAX_SPANS_PER_PAGE = 1000;
export const listSessionSpansQuerySchema = z
  .object({
    from: isoInstant("Spans starting at or after this time (ISO 8601)"),
    to: isoInstant("Spans starting before this time (ISO 8601)"),
    includeReads,
    limit: z.coerce.number().int().min(1).max(MAX_SPANS_PER_PAGE).default(500),
    cursor: nanosCursorSchema(16).optional(),
  })
  .strict();
export type ListSessionSpansQuery = z.infer<typeof listSessionSpansQuerySchema>;
export const spanPageSchema = z.object({ data: z.array(spanSchema), nextCursor: z.string().nullable() });
