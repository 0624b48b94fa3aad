"use client";

import { useEffect, useState } from "react";
import { SESSION_STATES } from "@/lib/sessions/state-machine";
import type { Template } from "../api-types";
import { SelectField, TextField } from "../ui/field";

export type SessionFilterValues = { state: string; template: string; label: string };

const LABEL_FILTER = /^[^=]+=.*$/;

/** State, template and label filters; the label filter applies once it reads key=value. */
export function SessionFilters({ value, onChange, templates }: {
  value: SessionFilterValues;
  onChange: (next: SessionFilterValues) => void;
  templates: Template[];
}) {
  const [label, setLabel] = useState(value.label);
  const labelError = label.trim() && !LABEL_FILTER.test(label.trim()) ? "Write it as key=value" : undefined;

  // Typing a label waits for a pause before asking the API again.
  useEffect(() => {
    const next = label.trim();
    if (next === value.label || (next && !LABEL_FILTER.test(next))) return;
    const t = setTimeout(() => onChange({ ...value, label: next }), 350);
    return () => clearTimeout(t);
  }, [label, value, onChange]);

  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-3 lg:max-w-3xl">
      <SelectField id="filter-state" label="Filter by state" value={value.state} onChange={(e) => onChange({ ...value, state: e.target.value })}>
        <option value="">All states</option>
        {SESSION_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
      </SelectField>
      <SelectField id="filter-template" label="Filter by template" value={value.template} onChange={(e) => onChange({ ...value, template: e.target.value })}>
        <option value="">All templates</option>
        {templates.map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
      </SelectField>
      <TextField id="filter-label" label="Filter by label" placeholder="team=search" value={label}
        onChange={(e) => setLabel(e.target.value)} error={labelError} autoComplete="off" />
    </div>
  );
}
