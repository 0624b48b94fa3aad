// The log API's contract: one query schema for GET /api/v1/sessions/{id}/logs (JSON pages, the
// text download and the live SSE stream all take it), and the shape of one line.
import { z } from "zod";
import { isoInstantSchema } from "../api/input-limits";

export const LOG_STREAMS = ["stdout", "stderr", "system"] as const;
export const MAX_LOG_PAGE = 5000;
export const DEFAULT_LOG_PAGE = 500;

const seqString = z.string().regex(/^\d{1,15}$/, "a sequence number (the nextCursor or an event id of this API)");

const streamList = z
  .string()
  .transform((s) => [...new Set(s.split(",").map((x) => x.trim()).filter(Boolean))])
  .pipe(z.array(z.enum(LOG_STREAMS, { error: "streams are stdout, stderr and system" })).min(1, "name at least one stream"));

export const logQuerySchema = z
  .object({
    afterSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()
      .describe("Lines with a sequence number above this one (0: from the start)"),
    cursor: seqString.optional().describe("The nextCursor of the previous page (same as afterSeq)"),
    limit: z.coerce.number().int().min(1).max(MAX_LOG_PAGE).default(DEFAULT_LOG_PAGE),
    tail: z.coerce.number().int().min(1).max(MAX_LOG_PAGE).optional()
      .describe("Without afterSeq/cursor/Last-Event-ID: start this many lines before the end of the log (counted before filters)"),
    stream: streamList.optional().describe("Comma list of streams: stdout, stderr, system"),
    q: z.string().min(1).max(1000).optional().describe("Case-insensitive substring the line must contain (% and _ are literal)"),
    from: isoInstantSchema().optional().describe("Lines at or after this time (ISO 8601)"),
    to: isoInstantSchema().optional().describe("Lines at or before this time (ISO 8601)"),
    follow: z.stringbool().optional().describe("Stream as server-sent events (same as Accept: text/event-stream)"),
    format: z.enum(["json", "text"]).default("json").describe("text: every matching line as plain text, for download"),
  })
  .strict()
  .refine((q) => q.afterSeq === undefined || q.cursor === undefined, { message: "give afterSeq or cursor, not both", path: ["cursor"] })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: "from is after to", path: ["to"] });

export type LogQuery = z.infer<typeof logQuerySchema>;

export const logLineSchema = z.object({
  seq: z.number().describe("Per-session sequence number, contiguous from 1"),
  stream: z.enum(LOG_STREAMS),
  source: z.string().describe("An exec id, \"main\", \"otlp\" or \"platform\""),
  at: z.string(),
  line: z.string(),
});
export type LogLineView = z.infer<typeof logLineSchema>;

export const logPageSchema = z.object({
  data: z.array(logLineSchema),
  nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null when there is no more yet"),
});

/** The filters a page, a download and a live stream share. */
export type LogFilter = { streams?: readonly string[]; q?: string; from?: Date; to?: Date };

export function filterOf(query: LogQuery): LogFilter {
  return {
    streams: query.stream,
    q: query.q,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}
