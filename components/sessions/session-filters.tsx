"use client";

import { useEffect, useState } from "react";
import { SESSION_STATES } from "@/lib/sessions/state-machine";
import type { Template } from "../api-types";
import { SelectField, TextField } from "../ui/field";

export type SessionFilterValues = { q: string; state: string; template: string; label: string; sort: string };

const LABEL_FILTER = /^[^=]+=.*$/;

/** The sort choices, as `sort:order` of GET /sessions. */
export const SESSION_SORT_OPTIONS = [
  { value: "created:desc", label: "Newest first" },
  { value: "created:asc", label: "Oldest first" },
  { value: "state:asc", label: "State" },
  { value: "duration:desc", label: "Longest duration" },
  { value: "duration:asc", label: "Shortest duration" },
  { value: "cost:desc", label: "Highest cost" },
  { value: "cost:asc", label: "Lowest cost" },
] as const;

export const DEFAULT_SESSION_FILTERS: SessionFilterValues = { q: "", state: "", template: "", label: "", sort: "created:desc" };

/** Typed text that is sent once typing pauses (and only when `valid`). */
function useDebouncedField(current: string, apply: (next: string) => void, valid: (next: string) => boolean = () => true) {
  const [text, setText] = useState(current);
  useEffect(() => {
    const next = text.trim();
    if (next === current || (next && !valid(next))) return;
    const t = setTimeout(() => apply(next), 350);
    return () => clearTimeout(t);
  }, [text, current, apply, valid]);
  return [text, setText] as const;
}

const validLabel = (l: string) => LABEL_FILTER.test(l);

/** Search, state, template, label and sort; text applies after a pause, the label once it reads key=value. */
export function SessionFilters({ value, onChange, templates }: {
  value: SessionFilterValues;
  onChange: (next: SessionFilterValues) => void;
  templates: Template[];
}) {
  const [q, setQ] = useDebouncedField(value.q, (next) => onChange({ ...value, q: next }));
  const [label, setLabel] = useDebouncedField(value.label, (next) => onChange({ ...value, label: next }), validLabel);
  const labelError = label.trim() && !validLabel(label.trim()) ? "Write it as key=value" : undefined;

  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-3 lg:grid-cols-5 lg:max-w-5xl">
      <TextField id="filter-q" label="Search" placeholder="id, label or template" value={q} type="search"
        onChange={(e) => setQ(e.target.value)} autoComplete="off" />
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
      <SelectField id="sort-sessions" label="Sort" value={value.sort} onChange={(e) => onChange({ ...value, sort: e.target.value })}>
        {SESSION_SORT_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </SelectField>
    </div>
  );
}
