"use client";

// The session page's live state: GET /sessions/{id}/events as server-sent events (read with fetch,
// so the cookie and X-Burrow-Tenant header go along). Each `session` event replaces the cached
// session and each `transition` joins the cached timeline, so a state change shows as soon as it
// commits. On a dropped stream it reconnects with back-off; while it is not live, useSession polls.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiRaw } from "../api-client";
import type { Session, SessionEvent, SessionEventList } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { followEventStream, type StreamStatus } from "../follow-event-stream";
import { mergeSession, mergeTransitions } from "./session-cache";

export type SessionStreamStatus = StreamStatus;

export function useSessionStream(id: string): SessionStreamStatus {
  const { slug } = useTenantApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<SessionStreamStatus>("connecting");

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    // The keys useSession and useSessionEvents use (useTenantApi's key()).
    const sessionKey = ["tenant", slug, "session", id];
    const eventsKey = [...sessionKey, "events"];
    void followEventStream({
      signal,
      open: () => apiRaw(`/sessions/${encodeURIComponent(id)}/events`, { tenant: slug, signal, headers: { accept: "text/event-stream" } }),
      onStatus: setStatus,
      onEvent: (event, data) => {
        if (event === "session") {
          const next = JSON.parse(data) as Session;
          queryClient.setQueryData<Session>(sessionKey, (prev) => mergeSession(prev, next));
        } else if (event === "transition") {
          const e = JSON.parse(data) as SessionEvent;
          queryClient.setQueryData<SessionEventList>(eventsKey, (prev) => ({ data: mergeTransitions(prev?.data ?? [], [e]) }));
        }
      },
    });
    return () => controller.abort();
  }, [slug, id, queryClient]);
  return status;
}
