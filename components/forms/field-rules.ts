// Client-side form checks with the API's own zod schemas (lib/<concern>/schemas.ts), and their
// failures in the words of the form ("Memory must be between 64 MiB and 256 GiB") instead of zod's
// ("Too small: expected number to be >=64"). The API checks again; this only answers sooner.
import { z } from "zod";
import { formatCents } from "../billing/money";
import { formatMib, formatSeconds } from "../format";

/** How a field's number reads to people. `cents`: the API takes cents, the form shows dollars. */
export type FieldUnit = "mib" | "seconds" | "days" | "vcpu" | "cents";

export type FieldRule = {
  /** The schema the API validates this field with (a property of its request schema). */
  schema: z.ZodType;
  /** The field's name as its label says it, e.g. "Memory". */
  label: string;
  unit?: FieldUnit;
  /** For a list: what one item is called ("scope"). */
  item?: string;
};

/** The first problem with `value` in words, or undefined when the API would accept it. */
export function checkField(rule: FieldRule, value: unknown): string | undefined {
  const result = rule.schema.safeParse(value);
  return result.success ? undefined : issueInWords(result.error.issues[0], rule);
}

/** Every field's first problem, by field name; an empty object when all are fine. */
export function checkFields<K extends string>(rules: Record<K, FieldRule>, values: Record<K, unknown>): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const name of Object.keys(rules) as K[]) {
    const problem = checkField(rules[name], values[name]);
    if (problem) errors[name] = problem;
  }
  return errors;
}

export function issueInWords(issue: z.core.$ZodIssue, rule: FieldRule): string {
  const { label } = rule;
  const base = innermost(rule.schema);
  switch (issue.code) {
    case "too_small":
    case "too_big": {
      if (issue.origin === "number" || issue.origin === "bigint" || issue.origin === "int") {
        const { min, max } = numberBounds(base, issue);
        const show = (n: number) => formatAmount(n, rule.unit);
        if (min !== undefined && max !== undefined) return `${label} must be between ${show(min)} and ${show(max)}`;
        return min !== undefined ? `${label} must be at least ${show(min)}` : `${label} must be at most ${show(max!)}`;
      }
      if (issue.origin === "string") {
        const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
        if (issue.code === "too_small") return n <= 1 ? `${label} is required` : `${label} needs at least ${n} characters`;
        return `${label} can be at most ${n} characters long`;
      }
      if (issue.origin === "array" || issue.origin === "set") {
        const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
        const item = rule.item ?? "item";
        if (issue.code === "too_small") return `Choose at least ${n === 1 ? "one" : n} ${item}${n === 1 ? "" : "s"}`;
        return `Choose at most ${n} ${item}s`;
      }
      return `${label} is out of range`;
    }
    case "invalid_type": {
      if (issue.expected === "int") return wholeNumberText(label, rule.unit);
      if (issue.expected === "number") return `${label} must be a number`;
      if (issue.input === undefined || issue.input === "") return `${label} is required`;
      return `${label} is not valid`;
    }
    case "not_multiple_of":
      return `${label} must be a multiple of ${formatAmount(Number(issue.divisor), rule.unit)}`;
    default:
      // Our schemas' own messages (refine, regex) are written for people; zod's defaults are not.
      return /^Invalid/.test(issue.message) ? `${label} is not valid` : `${label}: ${issue.message}`;
  }
}

/** A number in the field's unit: 262144 MiB → "256 GiB", 86400 s → "1 d", 2e9 cents → "$20,000,000.00". */
export function formatAmount(n: number, unit: FieldUnit | undefined): string {
  switch (unit) {
    case "mib": return formatMib(n);
    case "seconds": return durationInWords(n);
    case "days": return `${n} day${n === 1 ? "" : "s"}`;
    case "vcpu": return `${n} vCPU`;
    case "cents": return formatCents(n);
    default: return n.toLocaleString("en-US");
  }
}

/** Whole units where the number is one ("1 day", "30 minutes"), else the short form ("1 h 30 min"). */
function durationInWords(seconds: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  for (const [size, word] of [[86_400, "day"], [3600, "hour"], [60, "minute"]] as const) {
    if (seconds >= size && seconds % size === 0) return plural(seconds / size, word);
  }
  return seconds < 60 ? plural(seconds, "second") : formatSeconds(seconds);
}

function wholeNumberText(label: string, unit: FieldUnit | undefined): string {
  switch (unit) {
    case "cents": return `${label} can have at most two decimal places (whole cents)`;
    case "mib": return `${label} must be a whole number of MiB`;
    case "seconds": return `${label} must be a whole number of seconds`;
    case "days": return `${label} must be a whole number of days`;
    default: return `${label} must be a whole number`;
  }
}

function numberBounds(schema: z.ZodType, issue: z.core.$ZodIssue): { min?: number; max?: number } {
  const fromSchema = schema instanceof z.ZodNumber
    ? { min: finite(schema.minValue), max: finite(schema.maxValue) }
    : {};
  const fromIssue = issue.code === "too_small" ? { min: Number(issue.minimum) } : issue.code === "too_big" ? { max: Number(issue.maximum) } : {};
  return { min: fromSchema.min ?? fromIssue.min, max: fromSchema.max ?? fromIssue.max };
}

const finite = (n: number | null) => (n !== null && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);

/** Through .optional(), .nullable() and .default() to the schema that holds the checks. */
function innermost(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else break;
  }
  return s;
}
