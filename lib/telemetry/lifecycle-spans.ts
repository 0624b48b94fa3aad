// Lifecycle spans: the runner's steps (start, wake, pause, resume, hibernate, terminate) happen
// after the API request that asked for them has answered. To keep them in that request's trace,
// the request records a "session.desired_state" span in the same transaction as the desired state
// (so it is there when the runner's NOTIFY arrives), and the runner's step span continues the
// latest such span for the state it converges to. Steps nobody asked for through the API (idle
// policy, lifetime, retention, lost runners) start a trace of their own. Either way the span
// carries session.id and is joined to the session.
import { db } from "../db/client";
import { insertSpans } from "./insert-spans";
import { PlatformSpan, withSpan } from "./platform-span";
import { nowNs } from "./span-row";
import type { SpanContext } from "./traceparent";

type RawClient = Parameters<typeof insertSpans>[1];
export const DESIRED_STATE_SPAN = "session.desired_state";

/** In the caller's transaction: the desired state was asked for, as a child of the active (request) span. */
export async function recordDesiredStateSpan(tx: RawClient, session: { id: string; tenantId: string }, desired: string): Promise<void> {
  const span = new PlatformSpan(DESIRED_STATE_SPAN, {
    tenantId: session.tenantId, sessionId: session.id, attributes: { "session.id": session.id, "session.desired_state": desired },
  });
  await insertSpans([span.toRow(nowNs())], tx);
}

/** The span a runner step for `session` continues: the latest API request for its desired state. */
export async function lifecycleParent(session: { id: string; tenantId: string; desiredState: string; desiredCause: string }): Promise<SpanContext | null> {
  if (session.desiredCause !== "api") return null;
  const rows = await db().$queryRaw<{ trace_id: string; span_id: string }[]>`
    SELECT trace_id, span_id FROM spans
    WHERE tenant_id = ${session.tenantId} AND session_id = ${session.id} AND source = 'platform' AND name = ${DESIRED_STATE_SPAN}
      AND attributes->>'session.desired_state' = ${session.desiredState}
    ORDER BY start_ns DESC LIMIT 1`;
  return rows[0] ? { traceId: rows[0].trace_id, spanId: rows[0].span_id, sampled: true } : null;
}

/**
 * Runs one runner step in its span (the name comes with the step: lib/sessions/lifecycle-step.ts),
 * joined to the session and, when asked for through the API, to its request's trace.
 */
export async function withLifecycleSpan<T>(
  spanName: string,
  session: { id: string; tenantId: string; desiredState: string; desiredCause: string; state: string },
  runnerId: string,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = await lifecycleParent(session).catch(() => null);
  return withSpan(spanName, {
    tenantId: session.tenantId, sessionId: session.id, parent,
    attributes: { "session.from_state": session.state, "session.desired_state": session.desiredState, "burrow.cause": session.desiredCause, "runner.id": runnerId },
  }, () => fn());
}
