import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

export const inputClass =
  "block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm ring-1 ring-inset ring-zinc-300 " +
  "placeholder:text-zinc-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 disabled:bg-zinc-50 disabled:text-zinc-500 " +
  "aria-[invalid=true]:ring-red-400";

type FieldProps = { id: string; label: ReactNode; hint?: ReactNode; error?: string };

/** A labelled input with an optional hint and an error tied to it by aria-describedby. */
export function TextField({ id, label, hint, error, className = "", ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800">{label}</label>
      <input id={id} name={id} className={`mt-1 ${inputClass}`} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && !error && <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500">{hint}</p>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

export function TextAreaField({ id, label, hint, error, className = "", ...area }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800">{label}</label>
      <textarea id={id} name={id} className={`mt-1 font-mono ${inputClass}`} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...area} />
      {hint && !error && <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500">{hint}</p>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

export function SelectField({ id, label, hint, error, className = "", children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800">{label}</label>
      <select id={id} name={id} className={`mt-1 ${inputClass} pr-8`} aria-invalid={error ? true : undefined} {...select}>
        {children}
      </select>
      {hint && !error && <p className="mt-1 text-xs text-zinc-500">{hint}</p>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

export function FieldMessage({ id, error }: { id?: string; error?: string }) {
  if (!error) return null;
  return <p id={id} className="mt-1 text-xs font-medium text-red-600">{error}</p>;
}

/** A read-only value shown like a field, with a monospace face for ids and slugs. */
export function ReadOnlyField({ label, value, action }: { label: string; value: string; action?: ReactNode }) {
  return (
    <div>
      <div className="text-sm font-medium text-zinc-800">{label}</div>
      <div className="mt-1 flex items-center gap-2">
        <code aria-label={label} className="block min-w-0 flex-1 truncate rounded-md bg-zinc-100 px-3 py-2 font-mono text-sm text-zinc-800">{value}</code>
        {action}
      </div>
    </div>
  );
}
