"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { CreatedApiKey, Page, Session } from "../api-types";
import { useMe, useTenantApi } from "../console/console-context";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { InlineError } from "../ui/states";
import { firstSessionSnippet, readOnlySnippet } from "./curl-snippets";

/**
 * The way to a first session, fitted to the role: who may start sessions gets the button and the
 * create/exec/terminate snippet; a read-only role gets what it can do (read) and no invitation to
 * start anything.
 */
export function GettingStarted() {
  const me = useMe().data;
  const canStart = me.scopes.includes("sessions:write");
  const canRead = me.scopes.includes("sessions:read");
  const [origin, setOrigin] = useState("http://localhost:3000");
  useEffect(() => setOrigin(window.location.origin), []);
  const [createdKey, setCreatedKey] = useState<CreatedApiKey | null>(null);
  const secret = createdKey?.secret ?? null;
  const snippet = canStart ? firstSessionSnippet(origin, secret) : readOnlySnippet(origin, secret);

  return (
    <Card className="lg:col-span-2" aria-labelledby="getting-started">
      <CardHeader id="getting-started" title="Getting started"
        description={canStart
          ? "Start a session here, or from a shell with the API; the console uses the same endpoints."
          : `Your role (${me.role ?? "key"}) can look at sessions, snapshots and usage. To start sessions, ask an owner or admin to make you a member.`} />
      <CardBody className="space-y-4 text-sm text-zinc-700">
        {canStart && <FirstSessionCallout />}
        {canRead && (
          <>
            <h3 className="font-medium text-zinc-900">{canStart ? "From a shell: create a session, run a command, end it" : "From a shell: read this tenant's sessions"}</h3>
            <SnippetKey scopes={canStart ? ["sessions:read", "sessions:write"] : ["sessions:read"]} createdKey={createdKey} onCreated={setCreatedKey} />
            <div className="relative">
              <pre role="region" aria-label="Example requests" tabIndex={0} className="overflow-x-auto rounded-md bg-zinc-900 p-4 pr-20 font-mono text-xs leading-relaxed text-zinc-100" data-testid="curl-example">{snippet}</pre>
              <div className="absolute top-2 right-2"><CopyButton text={snippet} /></div>
            </div>
            <p className="text-zinc-500">
              curl only for now; TypeScript and Python examples come with the SDKs. Errors always look like{" "}
              <code className="font-mono text-xs">{'{"error": {"code", "message"}, "requestId"}'}</code>.
            </p>
          </>
        )}
      </CardBody>
    </Card>
  );
}

/** "Start your first session" while the tenant has none; a plain link to sessions after that. */
function FirstSessionCallout() {
  const { api, key, slug } = useTenantApi();
  const router = useRouter();
  const queryClient = useQueryClient();
  const any = useQuery({ queryKey: key("sessions", "any"), queryFn: () => api.get<Page<Session>>("/sessions", { limit: 1 }) });
  const start = useMutation({
    // The base template's defaults (1 vCPU, 512 MiB, pause after 5 idle minutes).
    mutationFn: () => api.post<Session>("/sessions", { template: "base" }),
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: key("sessions") });
      router.push(`/t/${slug}/sessions/${session.id}`);
    },
  });
  if (any.isPending) return null;
  if (any.data && any.data.data.length > 0) {
    return (
      <p>
        <Link className="font-medium text-indigo-600 hover:underline" href={`/t/${slug}/sessions`}>Sessions</Link> lists this tenant&apos;s sessions; open one to run commands, read its logs or use its terminal.
      </p>
    );
  }
  return (
    <div className="rounded-lg border border-indigo-200 bg-indigo-50/60 p-4" data-testid="first-session-callout">
      <p className="font-medium text-zinc-900">No sessions yet. Start one with the built-in <code className="font-mono">base</code> template and run a command in it.</p>
      <p className="mt-1 text-zinc-600">1 vCPU and 512 MiB; it pauses after 5 idle minutes and you can end it at any time.</p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <Button size="md" pending={start.isPending || start.isSuccess} onClick={() => start.mutate()}>Start your first session</Button>
      </div>
      {start.error ? <div className="mt-3"><InlineError error={start.error} /></div> : null}
    </div>
  );
}

/** Put a real key in the snippet (created now, shown once), or use $BURROW_API_KEY. */
function SnippetKey({ scopes, createdKey, onCreated }: { scopes: string[]; createdKey: CreatedApiKey | null; onCreated: (k: CreatedApiKey) => void }) {
  const { api, key, slug } = useTenantApi();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => api.post<CreatedApiKey>("/api-keys", { name: "getting-started", scopes }),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: key("api-keys") });
      onCreated(created);
    },
  });
  if (createdKey) {
    return (
      <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900" role="note" data-testid="snippet-key-note">
        The snippet holds the new key &ldquo;{createdKey.name}&rdquo; ({createdKey.scopes.join(", ")}). This is the only time its secret is shown: copy it now.
        Revoke it under <Link className="font-medium underline" href={`/t/${slug}/api-keys`}>API keys</Link>.
      </p>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <Button variant="secondary" size="sm" pending={create.isPending} onClick={() => create.mutate()}>Create a key for this snippet</Button>
      <span className="text-zinc-500">
        or set <code className="font-mono text-xs">BURROW_API_KEY</code> to a key from{" "}
        <Link className="font-medium text-indigo-600 hover:underline" href={`/t/${slug}/api-keys`}>API keys</Link>.
      </span>
      {create.error ? <InlineError error={create.error} /> : null}
    </div>
  );
}
