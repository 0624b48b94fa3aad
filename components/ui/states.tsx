import Link from "next/link";
import type { ReactNode } from "react";
import { ApiError } from "../api-client";
import { Button, Spinner } from "./button";

export function LoadingState({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="flex items-center justify-center gap-2 px-4 py-10 text-sm text-zinc-500">
      <Spinner /> {label}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="px-4 py-10 text-center" data-testid="empty-state">
      <p className="text-sm font-medium text-zinc-900">{title}</p>
      {children && <p className="mx-auto mt-1 max-w-md text-sm text-zinc-500">{children}</p>}
      {action && <div className="mt-4 flex justify-center">{action}</div>}
    </div>
  );
}

/** An API error as the API said it, with what to do about it. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  const forbidden = api?.status === 403;
  const signedOut = api?.status === 401;
  return (
    <div role="alert" className="px-4 py-8 text-center">
      <p className="text-sm font-medium text-zinc-900">
        {forbidden ? "You don't have access to this" : signedOut ? "You are signed out" : "Could not load this"}
      </p>
      <p className="mx-auto mt-1 max-w-md text-sm text-zinc-600" data-testid="error-message">{errorText(error)}</p>
      {forbidden && <p className="mx-auto mt-1 max-w-md text-xs text-zinc-500">Ask an owner or admin of this tenant for a role that allows it.</p>}
      <div className="mt-4 flex justify-center gap-2">
        {signedOut && <Link className="text-sm font-medium text-indigo-600 hover:underline" href="/signin">Sign in again</Link>}
        {onRetry && !forbidden && !signedOut && <Button variant="secondary" size="sm" onClick={onRetry}>Retry</Button>}
      </div>
      {api?.requestId && <p className="mt-3 font-mono text-[11px] text-zinc-500">request id {api.requestId}</p>}
    </div>
  );
}

/** A compact error line inside forms and dialogs. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-inset ring-red-200">
      {errorText(error)}
    </p>
  );
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error ?? "Something went wrong");
}

/**
 * The footer of a paged list: a "Load more" button while there are more pages; after the last
 * page, `endText` if given, else nothing.
 */
export function LoadMore({ list, endText }: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  endText?: ReactNode;
}) {
  if (!list.hasNextPage && !endText) return null;
  return (
    <div className="border-t border-zinc-100 p-3 text-center">
      {list.hasNextPage ? (
        <Button variant="secondary" size="sm" pending={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>Load more</Button>
      ) : (
        <span className="text-xs text-zinc-500">{endText}</span>
      )}
    </div>
  );
}

/** Horizontal scrolling on narrow screens keeps every column readable. */
export function TableWrap({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="relative overflow-x-auto" role="region" aria-label={label} tabIndex={0}>
      <table className="min-w-full divide-y divide-zinc-200 text-sm">{children}</table>
    </div>
  );
}

export const thClass = "px-4 py-2.5 text-left text-xs font-medium uppercase tracking-wide text-zinc-500 whitespace-nowrap bg-zinc-50";

/** The header of a row-actions column: named for screen readers, blank on screen. */
export const actionsColumn = <span className="sr-only">Actions</span>;

/** A table's header row, one `th` a column, in the order given. */
export function TableHead({ columns }: { columns: ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, i) => <th key={i} className={thClass}>{column}</th>)}
      </tr>
    </thead>
  );
}
export const tdClass = "px-4 py-3 align-middle text-zinc-700 whitespace-nowrap";
