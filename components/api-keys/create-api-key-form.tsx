"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { SCOPES } from "@/lib/auth/scopes";
import { createApiKeySchema } from "@/lib/keys/schemas";
import { formLevelError } from "../api-client";
import type { CreatedApiKey } from "../api-types";
import { useMe, useTenantApi } from "../console/console-context";
import { Button } from "../ui/button";
import { FieldMessage, TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import type { FieldRule } from "../forms/field-rules";
import { useFieldErrors } from "../forms/use-field-errors";
import { SCOPE_DESCRIPTIONS } from "./scope-info";

const RULES = {
  name: { schema: createApiKeySchema.shape.name, label: "Key name" },
  scopes: { schema: createApiKeySchema.shape.scopes, label: "Scopes", item: "scope" },
} satisfies Record<string, FieldRule>;

function tomorrow(): string {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const { api, key } = useTenantApi();
  const myScopes = useMe().data.scopes;
  const grantable = SCOPES.filter((s) => myScopes.includes(s));
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiresOn, setExpiresOn] = useState("");

  const create = useMutation({
    mutationFn: () =>
      api.post<CreatedApiKey>("/api-keys", {
        name: name.trim(),
        scopes,
        // The key works through the end of the chosen day, in the browser's time zone.
        ...(expiresOn ? { expiresAt: new Date(`${expiresOn}T23:59:59`).toISOString() } : {}),
      }),
    onSuccess: (created) => {
      setName("");
      setScopes([]);
      setExpiresOn("");
      void queryClient.invalidateQueries({ queryKey: key("api-keys") });
      onCreated(created);
    },
  });
  const errors = useFieldErrors(RULES, create.error);

  function toggle(scope: string, on: boolean) {
    errors.clear("scopes");
    setScopes((s) => (on ? SCOPES.filter((x) => x === scope || s.includes(x)) : s.filter((x) => x !== scope)));
  }
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (errors.check({ name, scopes })) create.mutate();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate aria-label="Create API key">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField id="key-name" label="Key name" required maxLength={100} placeholder="ci-agent" value={name}
          onChange={(e) => { errors.clear("name"); setName(e.target.value); }} error={errors.error("name")} hint="So you can tell keys apart later." />
        <TextField id="key-expires" label="Expires on (optional)" type="date" min={tomorrow()} value={expiresOn}
          onChange={(e) => { errors.clear("expiresAt"); setExpiresOn(e.target.value); }} error={errors.error("expiresAt")} hint="Leave empty for a key that does not expire." />
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-zinc-800">Scopes</legend>
        <p className="text-xs text-zinc-500">
          Grant only what the key needs. {grantable.length < SCOPES.length && "Only the scopes your role holds are offered: a key never does more than you can."}
        </p>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {grantable.map((scope) => {
            const id = `scope-${scope.replace(":", "-")}`;
            return (
              <div key={scope} className="flex items-start gap-2.5 rounded-md border border-zinc-200 px-3 py-2">
                <input id={id} type="checkbox" className="mt-0.5 h-4 w-4 rounded border-zinc-300 accent-indigo-600" checked={scopes.includes(scope)}
                  onChange={(e) => toggle(scope, e.target.checked)} aria-describedby={`${id}-desc`} />
                <div className="min-w-0">
                  <label htmlFor={id} className="font-mono text-sm text-zinc-900">{scope}</label>
                  <p id={`${id}-desc`} className="text-xs text-zinc-500">{SCOPE_DESCRIPTIONS[scope]}</p>
                </div>
              </div>
            );
          })}
        </div>
        <FieldMessage error={errors.error("scopes")} />
      </fieldset>
      <InlineError error={formLevelError(create.error, ["name", "scopes", "expiresAt"])} />
      <div className="flex items-center gap-3">
        <Button type="submit" pending={create.isPending}>Create key</Button>
      </div>
    </form>
  );
}
