"use client";

// A policy form's state: the draft, each list's message (the browser's check first, then the
// API's answer), cleared when that list changes and shown again on the next answer.
import { useState } from "react";
import { ApiError } from "../api-client";
import { policyErrorsOf, policyOf, type PolicyDraft, type PolicyErrors } from "./policy-draft";
import type { EgressPolicy } from "@/lib/network/schemas";

export function usePolicyDraft(initial: PolicyDraft, serverError: unknown) {
  const [draft, setDraft] = useState(initial);
  const [client, setClient] = useState<PolicyErrors>({});
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const [seenServerError, setSeenServerError] = useState<unknown>(serverError);
  if (serverError !== seenServerError) {
    setSeenServerError(serverError);
    setCleared(new Set());
  }
  const server = serverError instanceof ApiError ? policyErrorsOf(serverError.fields) : {};
  const shown = (list: "allowOut" | "denyOut") => (cleared.has(list) ? undefined : client[list] ?? server[list]);

  return {
    draft,
    errors: { allowOut: shown("allowOut"), denyOut: shown("denyOut") } as PolicyErrors,
    /** Whether the API's error is about the lists (shown next to them, not above the button). */
    serverErrorShown: Object.keys(server).length > 0,
    onChange(next: PolicyDraft, changed: string) {
      setDraft(next);
      setCleared((s) => (s.has(changed) ? s : new Set(s).add(changed)));
    },
    /** The policy to send, or null after showing what is wrong. */
    validate(): EgressPolicy | null {
      const checked = policyOf(draft);
      setClient(checked.errors ?? {});
      setCleared(new Set());
      return checked.policy;
    },
  };
}
