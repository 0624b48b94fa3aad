// The scheduler's idle and lifetime rules, across all tenants (system actor). It only sets
// desiredState and its cause; the owning runner converges. Idle means no API call, no running exec
// and no CPU above the threshold since lastActivityAt (the runner keeps that fresh).
import { db } from "../db/client";
import { notifyRunner } from "../runners/notify";

type Changed = { id: string; runner_id: string | null };

export type IdlePolicyScope = {
  /** Only these tenants' sessions (tests); the scheduler passes none, which means all. */
  tenantIds?: string[];
};

export async function applyIdlePolicy(scope: IdlePolicyScope = {}): Promise<{ paused: number; hibernated: number; expired: number }> {
  const now = `(now() AT TIME ZONE 'UTC')`;
  const inScope = `($1::text[] IS NULL OR tenant_id = ANY($1::text[]))`;
  const tenantIds = scope.tenantIds ?? null;
  const client = db();
  const expired = await client.$queryRawUnsafe<Changed[]>(`
    UPDATE sessions SET desired_state = 'terminated', desired_cause = 'lifetime'
    WHERE state IN ('running', 'paused') AND desired_state <> 'terminated' AND ${inScope}
      AND lifetime_used_seconds + EXTRACT(EPOCH FROM (${now} - state_changed_at)) >= max_lifetime_seconds
    RETURNING id, runner_id`, tenantIds);
  const hibernated = await client.$queryRawUnsafe<Changed[]>(`
    UPDATE sessions SET desired_state = 'hibernated', desired_cause = 'idle'
    WHERE state IN ('running', 'paused') AND desired_state IN ('running', 'paused') AND ${inScope}
      AND hibernate_after_seconds IS NOT NULL
      AND last_activity_at < ${now} - make_interval(secs => hibernate_after_seconds)
    RETURNING id, runner_id`, tenantIds);
  const paused = await client.$queryRawUnsafe<Changed[]>(`
    UPDATE sessions SET desired_state = 'paused', desired_cause = 'idle'
    WHERE state = 'running' AND desired_state = 'running' AND ${inScope}
      AND pause_after_seconds IS NOT NULL
      AND last_activity_at < ${now} - make_interval(secs => pause_after_seconds)
    RETURNING id, runner_id`, tenantIds);
  // One notice per changed session: its runner looks at that session alone.
  for (const s of [...expired, ...hibernated, ...paused]) await notifyRunner(client, s.runner_id, s.id);
  return { paused: paused.length, hibernated: hibernated.length, expired: expired.length };
}
