// The steps of one image import as they happen, answered with the template (`importLog`) or, when
// the import fails, in the error's details, so a person sees how far it got and what each step took.
import { AppError } from "../api/errors";

import type { z } from "zod";
import type { importLogEntrySchema } from "./schemas";

export type ImportLogEntry = z.infer<typeof importLogEntrySchema>;

export class ImportLog {
  readonly entries: ImportLogEntry[] = [];
  private last = Date.now();

  /** A step that just finished: its duration counts from the previous step's end (or the start). */
  done(step: ImportLogEntry["step"], message: string): void {
    const now = Date.now();
    this.entries.push({ step, message, at: new Date(now).toISOString(), durationMs: now - this.last });
    this.last = now;
  }

  /** The error to throw for a failed import: an AppError gains the steps so far in its details; others (500s) stay as they are. */
  attachTo(err: unknown): unknown {
    if (!(err instanceof AppError)) return err;
    return new AppError(err.code, err.message, { details: { ...err.details, importLog: this.entries }, headers: err.headers });
  }
}

/** Bytes as people read them in a log line. */
export function formatImportBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
