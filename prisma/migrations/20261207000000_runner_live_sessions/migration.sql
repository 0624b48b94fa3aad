-- SQL only (schema.prisma cannot express a partial index; listed in SQL_ONLY_INDEXES of
-- test/schema-drift.int.test.ts): the sessions a runner still has to look at. Its query
-- (runner_id = $1 AND state <> 'terminated' ORDER BY id, lib/runners/runner-registry.ts) read
-- every session the runner ever held through sessions_runner_id_state_idx; terminated rows, the
-- bulk of the table over time, are not in this index at all.
CREATE INDEX "sessions_runner_live_idx" ON "sessions" ("runner_id", "id") WHERE "state" <> 'terminated';
