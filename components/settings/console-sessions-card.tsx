"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "../api-client";
import type { ConsoleSession } from "../api-types";
import { signOutTo } from "../auth/sign-out";
import { formatDateTime, formatRelative } from "../format";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardHeader } from "../ui/card";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { ErrorState, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";

const QUERY_KEY = ["me", "console-sessions"];

/** "Chrome on Linux" from a user agent: enough to tell one's own browsers apart. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return "Unknown browser";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : null;
  if (!browser) return ua.slice(0, 60);
  return os ? `${browser} on ${os}` : browser;
}

/** The signed-in person's console sessions (each browser signed in), with sign-out for any of them. */
export function ConsoleSessionsCard() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const sessions = useQuery({ queryKey: QUERY_KEY, queryFn: () => apiFetch<{ data: ConsoleSession[] }>("/me/console-sessions") });
  const [target, setTarget] = useState<ConsoleSession | null>(null);
  const revoke = useMutation({
    mutationFn: (s: ConsoleSession) => apiFetch<void>(`/me/console-sessions/${encodeURIComponent(s.id)}`, { method: "DELETE" }),
    onSuccess: (_, s) => {
      if (s.current) return void signOutTo("/signin");
      setTarget(null);
      toast.success(`Signed out ${describeUserAgent(s.userAgent)}.`);
      void queryClient.invalidateQueries({ queryKey: QUERY_KEY });
    },
  });

  return (
    <Card className="mt-6" aria-labelledby="console-sessions-title">
      <CardHeader id="console-sessions-title" title="Your console sessions"
        description="Browsers signed in to your account, in every tenant. Signing one out refuses its cookie at once." />
      {sessions.isPending ? (
        <LoadingState />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => sessions.refetch()} />
      ) : (
        <ul className="divide-y divide-zinc-200" aria-label="Console sessions">
          {sessions.data.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
              <div className="min-w-0 text-sm">
                <p className="font-medium text-zinc-900" title={s.userAgent ?? undefined}>
                  {describeUserAgent(s.userAgent)} {s.current && <Badge tone="green">this browser</Badge>}
                </p>
                <p className="text-zinc-600">
                  Signed in {formatDateTime(s.createdAt)}{s.ip ? ` from ${s.ip}` : ""} · last used {formatRelative(s.lastSeenAt)}
                </p>
              </div>
              <Button variant="secondary" size="sm" onClick={() => { revoke.reset(); setTarget(s); }}>
                {s.current ? "Sign out" : "Sign out this session"}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog open={target !== null} title={target?.current ? "Sign out of this browser?" : "Sign out this session?"}
        confirmLabel="Sign out" pending={revoke.isPending} error={revoke.error}
        onConfirm={() => target && revoke.mutate(target)} onCancel={() => setTarget(null)}>
        {target && <p>{describeUserAgent(target.userAgent)}, last used {formatRelative(target.lastSeenAt)}, will have to sign in again.</p>}
      </ConfirmDialog>
    </Card>
  );
}
