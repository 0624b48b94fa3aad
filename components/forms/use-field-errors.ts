"use client";

import { useState } from "react";
import { ApiError } from "../api-client";
import { checkFields, type FieldRule } from "./field-rules";

/**
 * A form's field errors: the client check's (from the API's schemas) and the API's own answer,
 * one message a field. Changing a field clears its message until the next submit.
 */
export function useFieldErrors<K extends string>(rules: Record<K, FieldRule>, serverError: unknown) {
  const [client, setClient] = useState<Partial<Record<K, string>>>({});
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const [seenServerError, setSeenServerError] = useState<unknown>(serverError);
  // A new answer from the API shows all its field messages again (state adjusted during render).
  if (serverError !== seenServerError) {
    setSeenServerError(serverError);
    setCleared(new Set());
  }
  const api = serverError instanceof ApiError ? serverError : null;

  return {
    /** The message to show under a field, if any. */
    error(name: K | (string & {})): string | undefined {
      if (cleared.has(name)) return undefined;
      return client[name as K] ?? api?.fieldError(name);
    },
    /** Call from the field's onChange. */
    clear(name: K | (string & {})) {
      if (cleared.has(name)) return;
      setCleared((s) => new Set(s).add(name));
    },
    /** Checks the values on submit; true when the form may be sent. */
    check(values: Record<K, unknown>): boolean {
      const errors = checkFields(rules, values);
      setClient(errors);
      setCleared(new Set());
      return Object.keys(errors).length === 0;
    },
  };
}
