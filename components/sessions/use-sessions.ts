"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Session, SessionEventList, SnapshotList, TemplateList } from "../api-types";
import { useMe, useTenantApi } from "../console/console-context";
import { mergeSession } from "./session-cache";
import { pollInterval, SLOW_POLL_MS, type SessionAction } from "./session-state";

/** While the live stream is up a slow refetch is only a safety net; without it, poll as before. */
export const LIVE_FALLBACK_POLL_MS = 30_000;

/** One session: kept current by the live stream (useSessionStream) when `live`, polled otherwise. */
export function useSession(id: string, { live = false }: { live?: boolean } = {}) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: key("session", id),
    // A refetch answered after the stream brought a newer state (one asked for as a terminal
    // closed, answered after the pause it preceded) must not step the page back: it would stay
    // there until the next fallback poll, 30 s away.
    queryFn: async () => {
      const fetched = await api.get<Session>(`/sessions/${encodeURIComponent(id)}`);
      // The cache as it is when the answer is in, not when the request left.
      return mergeSession(queryClient.getQueryData<Session>(key("session", id)), fetched);
    },
    refetchInterval: (q) => (live ? LIVE_FALLBACK_POLL_MS : q.state.data ? pollInterval([q.state.data]) : false),
  });
}

/** The state timeline; the live stream adds each transition to this cache as it commits. */
export function useSessionEvents(id: string, { live = false }: { live?: boolean } = {}) {
  const { api, key } = useTenantApi();
  return useQuery({
    queryKey: key("session", id, "events"),
    queryFn: () => api.get<SessionEventList>(`/sessions/${encodeURIComponent(id)}/events`),
    refetchInterval: live ? LIVE_FALLBACK_POLL_MS : SLOW_POLL_MS,
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
      // The answer shows at once (desired state, actions); the stream brings the runner's steps.
      queryClient.setQueryData<Session>(key("session", session.id), (prev) => mergeSession(prev, session));
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
