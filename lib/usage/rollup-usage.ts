// The hourly usage rollup: recomputes the usage_hours rows (subject × meter × UTC hour) of every
// session and snapshot that may have usage in the hours not yet closed, from their whole state
// timelines, up to the run's `now` (the database's clock). A subject's rows in those hours are
// replaced in one statement per batch (rows that did not change are not touched), so:
// - re-running changes nothing (the same timeline gives the same rows, to the micro-unit);
// - a run killed at any point leaves every subject either as before or fully recomputed, and
//   closedThrough was not advanced, so the next run recomputes the same hours: no double counting,
//   nothing lost;
// - concurrent runs are safe: their batch writes are serialized by an advisory lock, and a row is
//   only replaced by a computation as of a later `now` (see replaceRows).
// An hour is CLOSED (final, billable to Stripe) once it ended CLOSE_GRACE_MS before a completed
// run's `now`: the grace absorbs runner clock skew and transactions that commit late.
import { db } from "../db/client";
import { egressUsage, sessionUsage, snapshotUsage, HOUR_MS, type UsagePiece } from "./intervals";
import { formatQuantity } from "./quantity";
import { advanceClosedThrough, readClosedThrough } from "./rollup-state";
import { type Attribution, findSessionSubjects, findSnapshotSubjects, loadSessions, loadSnapshots, type Window } from "./rollup-subjects";

export const CLOSE_GRACE_MS = 5 * 60_000;
const DEFAULT_BATCH_SIZE = 1000;
/** pg_advisory_xact_lock key of the batch writes (the migration runner uses 72707369). */
const WRITE_LOCK = 72707370;

export type RollupOptions = {
  /** The run's clock (default: the database's now()); for tests and backfills. */
  now?: Date;
  /** A repair run of one tenant: never advances closedThrough. */
  tenantId?: string;
  /** Recompute from this hour (default: closedThrough; everything on the first run). Hours before closedThrough are final: rewriting them does not re-bill them. */
  from?: Date;
  batchSize?: number;
  /** Called after each batch is committed (progress logging; tests use it to kill a run mid-way). */
  onBatch?: (progress: { kind: "sessions" | "snapshots"; subjects: number; written: number; deleted: number }) => void | Promise<void>;
};

export type RollupResult = { from: Date; now: Date; sessions: number; snapshots: number; written: number; deleted: number; closedThrough: Date | null };

type Row = Attribution & { subjectId: string; piece: UsagePiece };

const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

async function databaseNow(): Promise<Date> {
  const [row] = await db().$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  return row.now;
}

export async function rollupUsage(opts: RollupOptions = {}): Promise<RollupResult> {
  const now = opts.now ?? (await databaseNow());
  const closed = await readClosedThrough();
  const from = floorHour(opts.from ?? closed ?? new Date(0));
  const window: Window = { start: from, now, tenantId: opts.tenantId ?? null };
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const totals = { written: 0, deleted: 0 };
  const write = async (kind: "sessions" | "snapshots", ids: string[], rows: Row[]) => {
    const { written, deleted } = await replaceRows(ids, rows, from, now);
    totals.written += written;
    totals.deleted += deleted;
    await opts.onBatch?.({ kind, subjects: ids.length, written, deleted });
  };

  const sessionIds = await findSessionSubjects(window);
  for (let i = 0; i < sessionIds.length; i += batchSize) {
    const ids = sessionIds.slice(i, i + batchSize);
    const rows = (await loadSessions(ids)).flatMap((s) =>
      [...sessionUsage(s, s.events, now.getTime()), ...egressUsage(s.egress, now.getTime())].map((piece) => ({ ...s, subjectId: s.id, piece })));
    await write("sessions", ids, rows);
  }
  const snapshotIds = await findSnapshotSubjects(window);
  for (let i = 0; i < snapshotIds.length; i += batchSize) {
    const ids = snapshotIds.slice(i, i + batchSize);
    const rows = (await loadSnapshots(ids)).flatMap((s) => snapshotUsage(s, now.getTime()).map((piece) => ({ ...s, subjectId: s.id, piece })));
    await write("snapshots", ids, rows);
  }

  // Every subject since the old closedThrough was recomputed: the hours that ended a grace period
  // before `now` are final.
  let closedThrough = closed;
  const coversAll = !opts.tenantId && (closed === null || from.getTime() <= closed.getTime());
  const closable = floorHour(new Date(now.getTime() - CLOSE_GRACE_MS));
  if (coversAll && (closed === null || closable > closed)) closedThrough = await advanceClosedThrough(closable);
  return { from, now, sessions: sessionIds.length, snapshots: snapshotIds.length, ...totals, closedThrough };
}

/**
 * The scheduler's job: its counts, all zero when no row changed (so a quiet job logs nothing).
 * `tenantIds` makes it a repair run of each of those tenants (tests; closedThrough stays); the
 * scheduler passes none, which means all.
 */
export async function rollupUsageJob(scope: { tenantIds?: string[] } = {}): Promise<{ sessions: number; snapshots: number; written: number; deleted: number }> {
  const runs: RollupResult[] = [];
  if (!scope.tenantIds) runs.push(await rollupUsage());
  else for (const tenantId of scope.tenantIds) runs.push(await rollupUsage({ tenantId }));
  const sum = (f: (r: RollupResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  const [written, deleted] = [sum((r) => r.written), sum((r) => r.deleted)];
  const changed = written + deleted > 0;
  return { sessions: changed ? sum((r) => r.sessions) : 0, snapshots: changed ? sum((r) => r.snapshots) : 0, written, deleted };
}

/**
 * The subjects' rows in hours ≥ from become exactly `rows`: rows no longer produced are deleted,
 * new and changed ones upserted, equal ones left alone. One statement, so atomic per batch.
 *
 * computed_at is the run's `now` (what the row is "as of"), and a row as of a later time is never
 * replaced or deleted by a run as of an earlier one: a slow run overtaken by a newer one (runs
 * overlap when one takes longer than the scheduler's interval) cannot put back the partial value
 * of an hour the newer run has since closed. With the same events an hour's usage only grows with
 * `now`, so skipping such a write never loses usage.
 */
async function replaceRows(subjectIds: string[], rows: Row[], from: Date, now: Date): Promise<{ written: number; deleted: number }> {
  const fresh = rows.filter((r) => r.piece.hourMs >= from.getTime());
  const col = <T>(f: (r: Row) => T) => fresh.map(f);
  const [, result] = await db().$transaction([
    db().$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK}::bigint)`,
    db().$queryRaw<{ written: bigint; deleted: bigint }[]>`
      WITH fresh AS (
        SELECT * FROM unnest(${col((r) => r.subjectId)}::text[], ${col((r) => r.piece.meter)}::text[], ${col((r) => new Date(r.piece.hourMs))}::timestamptz[],
                             ${col((r) => r.tenantId)}::text[], ${col((r) => r.sessionId)}::text[], ${col((r) => r.templateName)}::text[],
                             ${col((r) => r.apiKeyId)}::text[], ${col((r) => formatQuantity(r.piece.micro))}::numeric[])
          AS f(subject_id, meter, hour, tenant_id, session_id, template_name, api_key_id, quantity)
      ), deleted AS (
        DELETE FROM usage_hours u
        WHERE u.subject_id = ANY(${subjectIds}::text[]) AND u.hour >= ${from}::timestamptz
          AND u.computed_at <= (${now}::timestamptz AT TIME ZONE 'UTC')
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.subject_id = u.subject_id AND f.meter = u.meter AND f.hour = u.hour)
        RETURNING 1
      ), written AS (
        INSERT INTO usage_hours AS u (subject_id, meter, hour, tenant_id, session_id, template_name, api_key_id, dimension, quantity, computed_at)
        SELECT subject_id, meter, hour, tenant_id, session_id, template_name, api_key_id, '', quantity, ${now}::timestamptz AT TIME ZONE 'UTC'
        FROM fresh ORDER BY subject_id, meter, hour
        ON CONFLICT (subject_id, meter, hour) DO UPDATE SET
          tenant_id = EXCLUDED.tenant_id, session_id = EXCLUDED.session_id, template_name = EXCLUDED.template_name,
          api_key_id = EXCLUDED.api_key_id, dimension = EXCLUDED.dimension, quantity = EXCLUDED.quantity, computed_at = EXCLUDED.computed_at
        WHERE EXCLUDED.computed_at >= u.computed_at
          AND (u.tenant_id, u.session_id, u.template_name, u.api_key_id, u.dimension, u.quantity) IS DISTINCT FROM (EXCLUDED.tenant_id, EXCLUDED.session_id, EXCLUDED.template_name, EXCLUDED.api_key_id, EXCLUDED.dimension, EXCLUDED.quantity)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM deleted) AS deleted`,
  ]);
  return { written: Number(result[0].written), deleted: Number(result[0].deleted) };
}
