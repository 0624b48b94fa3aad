// Benchmark knobs: optional numeric environment variables, clamped to a sane range, so that a
// typo can neither run a benchmark for hours nor silently fall back to the default.
export function knob(name: string, fallback: number, min: number, max: number, opts: { integer?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
  const clamped = Math.min(max, Math.max(min, value));
  return opts.integer ? Math.round(clamped) : clamped;
}
