// An egress policy as a form edits it: the default verdict and two lists typed one entry a line.
// Each line is checked with the API's own entry schema, so a typo is named by its list and line
// before anything is sent; the API's answer (`body.allowOut.2`) is mapped to the same words.
import { MAX_POLICY_ENTRIES, policyEntrySchema, type EgressPolicy, type SessionNetwork } from "@/lib/network/schemas";
import type { FieldError } from "../api-client";

export type PolicyList = "allowOut" | "denyOut";
export type PolicyDraft = { egress: "allow" | "deny"; allowOut: string; denyOut: string };
export type PolicyErrors = Partial<Record<PolicyList, string>>;

const LIST_NAMES: Record<PolicyList, string> = { allowOut: "Allowed", denyOut: "Denied" };

/** The form's starting values: a policy's own, or "allow everything" for a session without one. */
export function draftOf(network: SessionNetwork | null | undefined): PolicyDraft {
  if (!network || network === "none") return { egress: "allow", allowOut: "", denyOut: "" };
  return { egress: network.egress, allowOut: network.allowOut.join("\n"), denyOut: network.denyOut.join("\n") };
}

/** The policy a draft stands for, or the first problem of each list in the form's words. */
export function policyOf(draft: PolicyDraft): { policy: EgressPolicy; errors: null } | { policy: null; errors: PolicyErrors } {
  const errors: PolicyErrors = {};
  const lists = { allowOut: [] as string[], denyOut: [] as string[] };
  for (const list of ["allowOut", "denyOut"] as const) {
    const lines = draft[list].split("\n").map((l) => l.trim());
    if (lines.filter(Boolean).length > MAX_POLICY_ENTRIES) {
      errors[list] = `${LIST_NAMES[list]}: at most ${MAX_POLICY_ENTRIES} entries`;
      continue;
    }
    for (const [i, line] of lines.entries()) {
      if (!line) continue;
      const entry = policyEntrySchema.safeParse(line);
      if (!entry.success) {
        errors[list] = `${LIST_NAMES[list]}, line ${i + 1}: "${line}" ${entry.error.issues[0].message}`;
        break;
      }
      lists[list].push(entry.data);
    }
  }
  if (Object.keys(errors).length) return { policy: null, errors };
  return { policy: { egress: draft.egress, ...lists }, errors: null };
}

/**
 * The API's field errors of a policy (`body.allowOut.2`, `body.network.denyOut.0`) by list. The
 * API counts the entries it was sent; the form sends no blank lines, so entry N is the Nth filled
 * line, which is what the message names.
 */
export function policyErrorsOf(fields: readonly FieldError[]): PolicyErrors {
  const errors: PolicyErrors = {};
  for (const f of fields) {
    const parts = f.path.split(".");
    const at = parts.findIndex((p) => p === "allowOut" || p === "denyOut");
    if (at < 0) continue;
    const list = parts[at] as PolicyList;
    const index = Number(parts[at + 1]);
    errors[list] ??= Number.isInteger(index) ? `${LIST_NAMES[list]}, entry ${index + 1}: ${f.message}` : `${LIST_NAMES[list]}: ${f.message}`;
  }
  return errors;
}

/** One line of words for a policy, as lists and headers show it. */
export function describeNetwork(network: SessionNetwork | null | undefined): string {
  if (!network || network === "none") return "No network (loopback only)";
  const base = network.egress === "allow" ? "Internet allowed" : "Internet denied";
  const parts = [
    network.allowOut.length ? `${network.allowOut.length} allowed` : "",
    network.denyOut.length ? `${network.denyOut.length} denied` : "",
  ].filter(Boolean);
  return parts.length ? `${base}, ${parts.join(", ")}` : base;
}
