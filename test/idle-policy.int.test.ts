// The scheduler's rules, decided from the database alone (the owning runner then converges).
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { declareLostRunners } from "@/lib/runners/declare-lost-runners";
import { applyIdlePolicy } from "@/lib/sessions/apply-idle-policy";
import { expireSnapshots, terminateUnplacedSessions } from "@/lib/snapshots/retention";
import { sessionRowIn } from "./session-rows";

const sessionIn = (state: string, idle: Parameters<typeof sessionRowIn>[1], extra: Record<string, unknown> = {}) => sessionRowIn(state, idle, extra);

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
/** The jobs' scope: only the tenants of these sessions (other files' sessions run in parallel). */
const tenantsOf = (...sessions: { tenant: { id: string } }[]) => sessions.map((s) => s.tenant.id);

describe("idle policy and lifetime", () => {
  it("pauses a session idle past pauseAfterSeconds, and leaves a recently active one alone", async () => {
    const idle = await sessionIn("running", { pauseAfterSeconds: 60, hibernateAfterSeconds: 3600 }, { lastActivityAt: ago(61) });
    const active = await sessionIn("running", { pauseAfterSeconds: 60, hibernateAfterSeconds: 3600 }, { lastActivityAt: ago(30) });
    await applyIdlePolicy({ tenantIds: tenantsOf(idle, active) });
    expect(await db().session.findUniqueOrThrow({ where: { id: idle.id } })).toMatchObject({ desiredState: "paused", desiredCause: "idle" });
    expect(await db().session.findUniqueOrThrow({ where: { id: active.id } })).toMatchObject({ desiredState: "running" });
  });

  it("hibernates a session idle past hibernateAfterSeconds, paused or running", async () => {
    const paused = await sessionIn("paused", { pauseAfterSeconds: 60, hibernateAfterSeconds: 600 }, { lastActivityAt: ago(601) });
    const running = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: 600 }, { lastActivityAt: ago(700) });
    await applyIdlePolicy({ tenantIds: tenantsOf(paused, running) });
    for (const s of [paused, running]) {
      expect(await db().session.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ desiredState: "hibernated", desiredCause: "idle" });
    }
  });

  it("never pauses when the policy is off", async () => {
    const s = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { lastActivityAt: ago(86_400) });
    await applyIdlePolicy({ tenantIds: tenantsOf(s) });
    expect((await db().session.findUniqueOrThrow({ where: { id: s.id } })).desiredState).toBe("running");
  });

  it("terminates at maxLifetimeSeconds counting running and paused time only", async () => {
    const spent = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, {
      maxLifetimeSeconds: 3600, lifetimeUsedSeconds: 3500, stateChangedAt: ago(101),
    });
    const fresh = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, {
      maxLifetimeSeconds: 3600, lifetimeUsedSeconds: 3000, stateChangedAt: ago(101),
    });
    const hibernated = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, {
      maxLifetimeSeconds: 3600, lifetimeUsedSeconds: 3500, stateChangedAt: ago(86_400), desiredState: "hibernated",
    });
    await applyIdlePolicy({ tenantIds: tenantsOf(spent, fresh, hibernated) });
    expect(await db().session.findUniqueOrThrow({ where: { id: spent.id } })).toMatchObject({ desiredState: "terminated", desiredCause: "lifetime" });
    expect((await db().session.findUniqueOrThrow({ where: { id: fresh.id } })).desiredState).toBe("running");
    expect((await db().session.findUniqueOrThrow({ where: { id: hibernated.id } })).desiredState).toBe("hibernated");
  });
});

describe("scope", () => {
  it("acts only on the tenants it is given: another tenant's due session, snapshot and hibernated session stay", async () => {
    const mine = await sessionIn("running", { pauseAfterSeconds: 60, hibernateAfterSeconds: null }, { lastActivityAt: ago(61) });
    const theirs = await sessionIn("running", { pauseAfterSeconds: 60, hibernateAfterSeconds: null }, { lastActivityAt: ago(61) });
    const theirsAsleep = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { desiredState: "terminated", runnerId: null });
    const theirSnapshot = await db().snapshot.create({
      data: { id: newId("snp"), tenantId: theirs.tenant.id, sessionId: theirs.id, reason: "manual", manifestHash: "2".repeat(64), expiresAt: ago(10) },
    });
    const tenantIds = tenantsOf(mine);
    await applyIdlePolicy({ tenantIds });
    await terminateUnplacedSessions({ tenantIds });
    await expireSnapshots({ tenantIds });
    expect((await db().session.findUniqueOrThrow({ where: { id: mine.id } })).desiredState).toBe("paused");
    expect((await db().session.findUniqueOrThrow({ where: { id: theirs.id } })).desiredState).toBe("running");
    expect((await db().session.findUniqueOrThrow({ where: { id: theirsAsleep.id } })).state).toBe("hibernated");
    expect((await db().snapshot.findUniqueOrThrow({ where: { id: theirSnapshot.id } })).status).toBe("ready");
    // Their own scope (or the scheduler's, all) does reach them.
    await applyIdlePolicy({ tenantIds: tenantsOf(theirs) });
    expect((await db().session.findUniqueOrThrow({ where: { id: theirs.id } })).desiredState).toBe("paused");
  });
});

describe("lost runners", () => {
  it("moves sessions with a snapshot to hibernated and the others to failed (runner_lost)", async () => {
    const withSnapshot = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: null });
    const row = await db().session.findUniqueOrThrow({ where: { id: withSnapshot.id } });
    const snapshot = await db().snapshot.create({ data: { id: newId("snp"), tenantId: row.tenantId, sessionId: row.id, reason: "hibernate", manifestHash: "0".repeat(64) } });
    await db().session.update({ where: { id: row.id }, data: { snapshotId: snapshot.id } });
    const without = await sessionIn("running", { pauseAfterSeconds: null, hibernateAfterSeconds: null });
    for (const r of [withSnapshot.runner, without.runner]) await db().runner.update({ where: { id: r.id }, data: { lastHeartbeatAt: ago(60) } });
    await declareLostRunners({ runnerIds: [withSnapshot.runner.id, without.runner.id], observingSince: ago(3600) });
    expect(await db().runner.findUniqueOrThrow({ where: { id: without.runner.id } })).toMatchObject({ status: "lost" });
    expect(await db().session.findUniqueOrThrow({ where: { id: withSnapshot.id } })).toMatchObject({ state: "hibernated", runnerId: null, snapshotId: snapshot.id });
    expect(await db().session.findUniqueOrThrow({ where: { id: without.id } })).toMatchObject({ state: "failed", failureReason: "runner_lost" });
    const events = await db().sessionEvent.findMany({ where: { sessionId: without.id }, orderBy: { id: "asc" } });
    expect(events.at(-1)).toMatchObject({ fromState: "running", toState: "failed", cause: "runner_lost" });
  });
});

describe("hibernated sessions and snapshot retention", () => {
  it("terminates a hibernated session on request and after retentionDays, keeping the timeline", async () => {
    const asked = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { desiredState: "terminated", runnerId: null });
    const old = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { desiredState: "hibernated", runnerId: null, retentionDays: 7, stateChangedAt: ago(8 * 86_400) });
    const recent = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { desiredState: "hibernated", runnerId: null, retentionDays: 7, stateChangedAt: ago(86_400) });
    await terminateUnplacedSessions({ tenantIds: tenantsOf(asked, old, recent) });
    expect((await db().session.findUniqueOrThrow({ where: { id: asked.id } })).state).toBe("terminated");
    expect((await db().session.findUniqueOrThrow({ where: { id: old.id } })).state).toBe("terminated");
    expect((await db().session.findUniqueOrThrow({ where: { id: recent.id } })).state).toBe("hibernated");
    const events = await db().sessionEvent.findMany({ where: { sessionId: old.id }, orderBy: { id: "asc" } });
    expect(events.slice(-2).map((e) => [e.toState, e.cause])).toEqual([["terminating", "retention"], ["terminated", "retention"]]);
  });

  it("expires snapshots past their date unless a live session needs them", async () => {
    const s = await sessionIn("hibernated", { pauseAfterSeconds: null, hibernateAfterSeconds: null }, { desiredState: "hibernated", runnerId: null });
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    const mk = (expiresAt: Date) => db().snapshot.create({ data: { id: newId("snp"), tenantId: row.tenantId, sessionId: row.id, reason: "hibernate", manifestHash: "1".repeat(64), expiresAt } });
    const needed = await mk(ago(10));
    const stale = await mk(ago(10));
    const future = await mk(new Date(Date.now() + 86_400_000));
    await db().session.update({ where: { id: s.id }, data: { snapshotId: needed.id } });
    await expireSnapshots({ tenantIds: tenantsOf(s) });
    const status = async (id: string) => (await db().snapshot.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(needed.id)).toBe("ready");
    expect(await status(stale.id)).toBe("deleted");
    expect(await status(future.id)).toBe("ready");
  });
});
