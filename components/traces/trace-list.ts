// The trace list's filter form and duration bars, as pure functions.

export type TraceFilterForm = { status: "" | "ok" | "error"; name: string; minDuration: string };

/** "250", "250ms", "1.5s", "2 s" → milliseconds; "" → undefined; anything else → null (not a duration). */
export function parseDurationMs(text: string): number | undefined | null {
  const t = text.trim().toLowerCase();
  if (t === "") return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)?$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  const ms = unit === "ms" ? n : unit === "s" ? n * 1000 : n * 60_000;
  return ms <= 86_400_000 ? ms : null;
}

/** The form as GET /traces query parameters (empty fields left out), or an error for the duration field. */
export function traceFilterQuery(form: TraceFilterForm): { query: Record<string, string>; durationError?: string } {
  const query: Record<string, string> = {};
  if (form.status) query.status = form.status;
  if (form.name.trim()) query.name = form.name.trim();
  const ms = parseDurationMs(form.minDuration);
  if (ms === null) return { query, durationError: "A duration such as 250ms, 1.5s or 2m, at most a day" };
  if (ms !== undefined) query.minDurationMs = String(ms);
  return { query };
}

/** A bar's width in percent of the longest trace shown: at least 1 so a fast trace still shows one. */
export function durationBarPercent(durationMs: number, longestMs: number): number {
  if (!(longestMs > 0) || !(durationMs > 0)) return 1;
  return Math.max(1, Math.min(100, (durationMs / longestMs) * 100));
}
