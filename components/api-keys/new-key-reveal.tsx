"use client";

import type { CreatedApiKey } from "../api-types";
import { Button } from "../ui/button";
import { CopyButton } from "../ui/copy-button";

/** The one time a key's secret is shown. */
export function NewKeyReveal({ apiKey, onDismiss }: { apiKey: CreatedApiKey; onDismiss: () => void }) {
  return (
    <section aria-labelledby="new-key-title" className="rounded-lg border border-amber-300 bg-amber-50 p-4 shadow-sm sm:p-5" data-testid="new-key-panel">
      <h2 id="new-key-title" className="text-sm font-semibold text-amber-900">Key &ldquo;{apiKey.name}&rdquo; created — copy its secret now</h2>
      <p className="mt-1 text-sm text-amber-800" role="note">
        This is the only time the secret is shown. Burrow stores only a hash of it; if you lose it, revoke the key and create a new one.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
        <code data-testid="new-key-secret" aria-label="New API key secret"
          className="block min-w-0 flex-1 overflow-x-auto rounded-md bg-white px-3 py-2 font-mono text-sm break-all text-zinc-900 ring-1 ring-amber-300 select-all">{apiKey.secret}</code>
        <div className="flex gap-2">
          <CopyButton text={apiKey.secret} label="Copy secret" size="md" />
          <Button variant="ghost" onClick={onDismiss}>Done</Button>
        </div>
      </div>
      <p className="mt-2 text-xs text-amber-800">Scopes: <span className="font-mono">{apiKey.scopes.join(", ")}</span></p>
    </section>
  );
}
