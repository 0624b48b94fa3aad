"use client";

// The session page's Network tab: the sandbox's egress policy, changed live by whoever holds
// sessions:write (PATCH /sessions/{id}/network; the runner swaps the rules without a restart), and
// its ports with their preview links, and its traffic: bytes out and in, and the flight recorder's
// latest lookups and connection attempts.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { formLevelError } from "../api-client";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { isEnded } from "../sessions/session-state";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { EmptyState, InlineError } from "../ui/states";
import { useToast } from "../ui/toast";
import { NetworkPolicyFields } from "./network-policy-fields";
import { SessionNetworkActivity } from "./session-network-activity";
import { SessionPorts } from "./session-ports";
import { describeNetwork, draftOf } from "./policy-draft";
import { usePolicyDraft } from "./use-policy-draft";

export function SessionNetworkPanel({ session: s, canWrite }: { session: Session; canWrite: boolean }) {
  if (s.network === "none") {
    return (
      <Card>
        <EmptyState title="No network">
          This session was started with network <code className="font-mono">none</code>: its sandbox has loopback only. A network cannot be added
          to a session afterwards; start a new session with one (New session → Network), or set a default for the template or the tenant.
        </EmptyState>
      </Card>
    );
  }
  const editable = canWrite && !isEnded(s);
  return (
    <div className="space-y-6">
      <Card aria-labelledby="network-policy-title">
        <CardHeader id="network-policy-title" title="Egress policy" description={
          <span data-testid="network-summary">{describeNetwork(s.network)}</span>
        } />
        <CardBody>
          {/* Keyed by the stored policy: a change from elsewhere (the API, another tab) starts a fresh draft. */}
          <PolicyForm key={JSON.stringify(s.network)} session={s} editable={editable} />
        </CardBody>
      </Card>
      <SessionPorts session={s} canWrite={canWrite} />
      <SessionNetworkActivity session={s} />
    </div>
  );
}

function PolicyForm({ session: s, editable }: { session: Session; editable: boolean }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation({
    mutationFn: (policy: object) => api.patch<Session>(`/sessions/${encodeURIComponent(s.id)}/network`, policy),
    onSuccess: (updated) => {
      queryClient.setQueryData(key("session", s.id), updated);
      toast.success(s.state === "running" ? "Policy saved; the runner applies it to the sandbox within about a second." : "Policy saved; it applies when the session runs.");
    },
  });
  const form = usePolicyDraft(draftOf(s.network), save.error);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const policy = form.validate();
    if (policy) save.mutate(policy);
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Egress policy" className="space-y-4">
      <NetworkPolicyFields idPrefix="session-network" draft={form.draft} errors={form.errors} onChange={form.onChange} disabled={!editable} />
      <p className="text-xs text-zinc-500">
        Checked in this order: always blocked (other sandboxes, the runner host, link-local and cloud metadata), Denied, Allowed, then Everything
        else. Domain rules hold through the sandbox&apos;s DNS; connections already open survive a change.
      </p>
      <InlineError error={form.serverErrorShown ? null : formLevelError(save.error, [])} />
      {editable && <Button type="submit" pending={save.isPending}>Apply policy</Button>}
    </form>
  );
}
