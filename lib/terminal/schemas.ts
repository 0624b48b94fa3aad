import { z } from "zod";

/** One input request's bytes at most (a paste larger than this is sent in pieces by the console). */
export const MAX_INPUT_BYTES = 64 * 1024;

const cols = z.number().int().min(1).max(1000).describe("Columns");
const rows = z.number().int().min(1).max(1000).describe("Rows");

export const terminalSizeSchema = z.object({ cols, rows }).strict();

export const openTerminalSchema = z
  .object({ cols: cols.default(80), rows: rows.default(24) })
  .strict()
  .describe("The initial size; 80x24 when absent");
export type OpenTerminalInput = z.infer<typeof openTerminalSchema>;

export const terminalSchema = z.object({
  id: z.string().describe("trm_…; valid with this session only"),
  sessionId: z.string(),
  cols: z.number(),
  rows: z.number(),
  openedAt: z.string(),
});

export const terminalInputSchema = z
  .object({
    data: z.string().min(1).max(MAX_INPUT_BYTES).describe("What was typed: UTF-8 text, or base64 with encoding=base64"),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
  })
  .strict();
export type TerminalInput = z.infer<typeof terminalInputSchema>;

export const terminalOutputQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).optional().describe("Byte offset to resume after (like the Last-Event-ID header, which wins)"),
  })
  .strict();

export const closedTerminalSchema = z.object({ id: z.string(), reason: z.string() });

export const TERMINAL_ID = /^trm_[0-9A-HJKMNP-TV-Z]{26}$/;
