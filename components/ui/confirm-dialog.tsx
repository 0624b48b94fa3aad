"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { Button } from "./button";
import { InlineError } from "./states";

type Props = {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  pending?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
  /** "primary" for a confirmation that is not destructive (a plan change). */
  tone?: "danger" | "primary";
};

/** A modal confirmation for destructive or costly actions, built on the native <dialog> (focus trap, Esc). */
export function ConfirmDialog({ open, title, children, confirmLabel, pending, error, onConfirm, onCancel, tone = "danger" }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-dialog-title"
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onCancel();
      }}
    >
      {open && (
        <div className="p-5">
          <h2 id="confirm-dialog-title" className="text-base font-semibold text-zinc-900">{title}</h2>
          {children && <div className="mt-2 text-sm text-zinc-600">{children}</div>}
          {error ? <div className="mt-3"><InlineError error={error} /></div> : null}
          <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={onCancel} disabled={pending}>Cancel</Button>
            <Button variant={tone} onClick={onConfirm} pending={pending}>{confirmLabel}</Button>
          </div>
        </div>
      )}
    </dialog>
  );
}
