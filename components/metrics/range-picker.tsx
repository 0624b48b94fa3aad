"use client";

import type { TimeRangeOption } from "./metrics-types";

/** A row of toggle buttons choosing how far back a chart looks. */
export function RangePicker({ options, value, onChange, label }: { options: TimeRangeOption[]; value: number; onChange: (ms: number) => void; label: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex rounded-md shadow-sm ring-1 ring-zinc-300 ring-inset">
      {options.map((o, i) => (
        <button
          key={o.ms}
          type="button"
          aria-pressed={o.ms === value}
          onClick={() => onChange(o.ms)}
          className={`px-2.5 py-1 text-xs font-medium ${i > 0 ? "border-l border-zinc-300" : ""} ${
            o.ms === value ? "bg-indigo-600 text-white" : "bg-white text-zinc-700 hover:bg-zinc-50"
          } ${i === 0 ? "rounded-l-md" : ""} ${i === options.length - 1 ? "rounded-r-md" : ""}`}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
