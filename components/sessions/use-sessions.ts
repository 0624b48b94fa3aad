"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Session, SessionEventList, SnapshotList, TemplateList } from "../api-types";
import { useMe, useTenantApi } from "../console/console-context";
import { pollInterval, type SessionAction } from "./session-state";

/** One session, polled fast while it changes state. */
export function useSession(id: string) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("session", id),
    queryFn: () => api.get<Session>(`/sessions/${encodeURIComponent(id)}`),
    refetchInterval: (q) => (q.state.data ? pollInterval([q.state.data]) : false),
  });
}

/** The state timeline; refetched with the session (it shares the session's key prefix). */
export function useSessionEvents(id: string, session: Session | undefined) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("session", id, "events", session?.state, session?.stateChangedAt),
    queryFn: () => api.get<SessionEventList>(`/sessions/${encodeURIComponent(id)}/events`),
    placeholderData: (previous) => previous,
  });
}

export function useSessionLineage(id: string) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("session", id, "snapshots"),
    queryFn: () => api.get<SnapshotList>(`/sessions/${encodeURIComponent(id)}/snapshots`),
  });
}

export function useTemplates() {
  const { api, key } = useTenantApi();
  return useQuery({ queryKey: key("templates"), queryFn: () => api.get<TemplateList>("/templates") });
}

export function useScopes() {
  const scopes = useMe().data.scopes;
  return {
    sessionsWrite: scopes.includes("sessions:write"),
    snapshotsWrite: scopes.includes("snapshots:write"),
    admin: scopes.includes("admin"),
  };
}

/** Pause, resume, hibernate or terminate one session; the answer replaces the cached session. */
export function useSessionAction() {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: SessionAction }) =>
      action === "terminate"
        ? api.del<Session>(`/sessions/${encodeURIComponent(id)}`)
        : api.post<Session>(`/sessions/${encodeURIComponent(id)}/${action}`, {}),
    onSuccess: (session) => {
      queryClient.setQueryData(key("session", session.id), session);
      void queryClient.invalidateQueries({ queryKey: key("session", session.id) });
      void queryClient.invalidateQueries({ queryKey: key("sessions") });
    },
  });
}

/** A new session started from a snapshot's files (a fork). */
export function useForkSnapshot() {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ snapshotId, template }: { snapshotId: string; template?: string }) =>
      api.post<Session>("/sessions", { fromSnapshot: snapshotId, ...(template ? { template } : {}) }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key("sessions") }),
  });
}
