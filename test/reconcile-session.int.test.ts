// The reconciler and the runner's retry policy driven through crash-recovery sequences: real
// Postgres (transitions, snapshots, the snapshot store), the in-memory backend in place of runc
// (test/memory-backend.ts; the real-runner tests cover runc). A "crash" is an operation that throws
// part-way through a step; a later pass starts again from what the database and the runtime show,
// as a restarted runner does. Every sequence must end settled, with the container matching the
// state and the user's files where the state says they are.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Session } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { RECOVERED_NOTE } from "@/lib/runners/reconcile-session";
import { ReconcileRetries } from "@/lib/runners/reconcile-retry-policy";
import { reconcileWithRetries } from "@/lib/runners/reconcile-with-retries";
import { observeContainer, SANDBOX_LOST_REASON } from "@/lib/sessions/lifecycle-step";
import { DESIRED_STATES, isSettled, type DesiredState, type SessionState } from "@/lib/sessions/state-machine";
import { createMemoryBackend, type MemoryBackend } from "./memory-backend";
import { sessionRowIn } from "./session-rows";

let backend: MemoryBackend;
let template: Session;
let runnerId: string;
let failStarted = 0;

const deps = () => ({
  backend, runnerId, sandboxEnv: () => ({}), log: () => {},
  retries: new ReconcileRetries(),
  // A cut-off start: the container exists, the session is not yet recorded running.
  sandboxStarted: async () => {
    if (failStarted > 0 && failStarted--) throw new Error("simulated crash after create");
  },
  reread: async (id: string) => (await db().session.findFirst({ where: { id, runnerId, state: { not: "terminated" } } })) ?? undefined,
});
let runner: ReturnType<typeof deps>;

beforeAll(async () => {
  backend = createMemoryBackend();
  const { id, runner: row } = await sessionRowIn("pending");
  runnerId = row.id;
  template = await db().session.findUniqueOrThrow({ where: { id } });
  runner = deps();
});
afterAll(() => backend.cleanup());

/** A fresh session row of the test's tenant on the test's runner (a copy of one made through the API). */
async function newSession(set: Partial<Session> = {}): Promise<string> {
  const row = await db().session.create({ data: { ...template, id: newId("ses"), state: "pending", desiredState: "running", snapshotId: null, ...set } as never });
  return row.id;
}

const read = (id: string) => db().session.findUniqueOrThrow({ where: { id } });
const setDesired = (id: string, desired: DesiredState) =>
  db().session.update({ where: { id }, data: { desiredState: desired, desiredCause: "api", runnerId } });

/** One pass of the runner for this session, as workers/runner takes it (the container observed first). */
async function runnerPass(id: string): Promise<void> {
  const row = await read(id);
  if (row.runnerId !== runnerId || row.state === "terminated") return;
  await reconcileWithRetries(row, runner, observeContainer(backend.statusOf(id)));
}

/** Passes until settled (bounded); the orphan sweep's part for a session that left the runner. */
async function converge(id: string, passes = 8): Promise<Session> {
  let row = await read(id);
  for (let i = 0; i < passes && row.runnerId === runnerId && !quiet(row); i++) {
    await runnerPass(id);
    row = await read(id);
  }
  if (row.runnerId !== runnerId && backend.statusOf(id) !== undefined) await backend.quarantine(id);
  return row;
}

/** Nothing left to do: the recorded state is the desired one and the container agrees with it. */
function quiet(row: Session): boolean {
  return isSettled(row.state as SessionState, row.desiredState as DesiredState) && consistent(row);
}

function consistent(row: Session): boolean {
  const status = backend.statusOf(row.id);
  if (row.state === "running") return status === "running";
  if (row.state === "paused") return status === "paused";
  return status === undefined;
}

const workspaceFile = (id: string) => path.join(backend.stateDir, id, "workspace", "kept.txt");
function writeUserFile(id: string, content: string) {
  mkdirSync(path.dirname(workspaceFile(id)), { recursive: true });
  writeFileSync(workspaceFile(id), content);
}

function expectSettled(row: Session) {
  expect(isSettled(row.state as SessionState, row.desiredState as DesiredState), `${row.state} for desired ${row.desiredState}`).toBe(true);
  expect(consistent(row), `${row.state} with container ${backend.statusOf(row.id) ?? "absent"}`).toBe(true);
}

/** A running session holding a file, on the way to `from`. */
async function sessionIn(from: "running" | "paused" | "hibernated", content: string): Promise<string> {
  const id = await newSession();
  expect((await converge(id)).state).toBe("running");
  writeUserFile(id, content);
  if (from !== "running") {
    await setDesired(id, from);
    expect((await converge(id)).state).toBe(from);
  }
  return id;
}

describe("reconciling through crashes", () => {
  const crashPoints = ["create", "destroy", "quarantine", "pause", "resume", "paths"] as const;
  const cases = (["running", "paused", "hibernated"] as const).flatMap((from) =>
    DESIRED_STATES.filter((d) => d !== from && !(from === "hibernated" && d === "paused")).flatMap((desired) => crashPoints.map((crash) => ({ from, desired, crash }))));

  it.each(cases)("$from -> $desired, cut off in $crash: converges, files kept", async ({ from, desired, crash }) => {
    const id = await sessionIn(from, `${from}-${desired}-${crash}`);
    await setDesired(id, desired);
    backend.crashOn(crash);
    await runnerPass(id).finally(() => backend.crashOn(crash, 0));
    const row = await converge(id);
    expectSettled(row);
    expect(row.state).toBe(desired);
    if (desired === "running" || desired === "paused") expect(readFileSync(workspaceFile(id), "utf8")).toBe(`${from}-${desired}-${crash}`);
    if (desired === "terminated") expect(existsSync(workspaceFile(id))).toBe(false);
    if (desired === "hibernated") {
      // The snapshot holds the file: woken again, it is there.
      await setDesired(id, "running");
      expect((await converge(id)).state).toBe("running");
      expect(readFileSync(workspaceFile(id), "utf8")).toBe(`${from}-${desired}-${crash}`);
    }
  });

  it("a start cut off after the container was created starts it again: one container, running", async () => {
    const id = await newSession();
    failStarted = 1;
    await runnerPass(id);
    expect(await read(id)).toMatchObject({ state: "starting" });
    expect(backend.statusOf(id)).toBe("running");
    const row = await converge(id);
    expectSettled(row);
    expect(backend.createdCount(id)).toBe(2);
  });

  it("a terminate cut off in terminating is finished: no container, no files", async () => {
    const id = await sessionIn("running", "x");
    await setDesired(id, "terminated");
    backend.crashOn("destroy");
    await runnerPass(id);
    expect((await read(id)).state).toBe("terminating");
    const row = await converge(id);
    expect(row.state).toBe("terminated");
    expect(backend.statusOf(id)).toBeUndefined();
    expect(existsSync(workspaceFile(id))).toBe(false);
  });

  /** A running session holding `content`, left in hibernating with its container frozen (the runner died before the snapshot). */
  async function cutOffHibernate(content: string): Promise<string> {
    const id = await sessionIn("running", content);
    await setDesired(id, "hibernated");
    backend.crashOn("paths");
    await runnerPass(id);
    expect((await read(id)).state).toBe("hibernating");
    expect(backend.statusOf(id)).toBe("paused");
    return id;
  }

  it.each([
    { desired: "paused" as const, container: "paused" as const },
    { desired: "running" as const, container: "stopped" as const }, // its init died while the runner was away
    { desired: "running" as const, container: undefined }, // the host rebooted
  ])("a hibernate cut off, container $container, then asked to be $desired, ends so with its files", async ({ desired, container }) => {
    const id = await cutOffHibernate(`asked ${desired}`);
    if (container === undefined) backend.forgetContainer(id);
    else backend.setStatus(id, container);
    await setDesired(id, desired);
    const row = await converge(id);
    expectSettled(row);
    expect(row.state).toBe(desired);
    expect(readFileSync(workspaceFile(id), "utf8")).toBe(`asked ${desired}`);
  });

  it.each(["running", "paused"] as const)("a %s session whose container is gone (host rebooted) is recovered on its own files", async (state) => {
    const id = await sessionIn(state, `lost while ${state}`);
    writeFileSync(path.join(backend.stateDir, id, "upper", "rootfs", "outside.txt"), "outside /workspace");
    backend.forgetContainer(id);
    const row = await converge(id);
    expectSettled(row);
    expect(row.state).toBe(state);
    expect(backend.createdCount(id)).toBe(2);
    expect(readFileSync(workspaceFile(id), "utf8")).toBe(`lost while ${state}`);
    expect(readFileSync(path.join(backend.stateDir, id, "upper", "rootfs", "outside.txt"), "utf8")).toBe("outside /workspace");
    const recovered = await db().sessionEvent.findMany({ where: { sessionId: id, cause: "recovered" } });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ fromState: state, toState: "running", detail: { reason: SANDBOX_LOST_REASON, note: RECOVERED_NOTE } });
    expect(await db().sessionEvent.count({ where: { sessionId: id, toState: "failed" } })).toBe(0);
  });

  it.each(["running", "paused"] as const)("a %s session whose container and files are gone rolls back to its last snapshot", async (state) => {
    const id = await sessionIn("hibernated", "in the snapshot");
    await setDesired(id, state);
    expect((await converge(id)).state).toBe(state);
    writeUserFile(id, "after the snapshot, lost with the host");
    backend.forgetContainer(id);
    rmSync(path.join(backend.stateDir, id), { recursive: true, force: true });
    const row = await converge(id);
    expectSettled(row);
    expect(row.state).toBe(state);
    expect(readFileSync(workspaceFile(id), "utf8")).toBe("in the snapshot");
    const rolledBack = await db().sessionEvent.findMany({ where: { sessionId: id, fromState: state, toState: "hibernated", cause: "error" } });
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0].detail).toEqual({ reason: SANDBOX_LOST_REASON, dataAsOf: row.snapshotId });
  });

  it("a session whose container and files are gone, without a snapshot, is failed (sandbox_lost)", async () => {
    const id = await sessionIn("running", "never snapshotted");
    backend.forgetContainer(id);
    rmSync(path.join(backend.stateDir, id, "workspace"), { recursive: true, force: true });
    const row = await converge(id);
    expect(row).toMatchObject({ state: "failed", failureReason: SANDBOX_LOST_REASON });
    expect(backend.statusOf(id)).toBeUndefined();
    expect(existsSync(path.join(backend.stateDir, id, "upper"))).toBe(true); // what is left is kept
  });

  it("a paused session whose container was thawed behind the runner's back is frozen again", async () => {
    const id = await sessionIn("paused", "frozen");
    backend.setStatus(id, "running");
    const row = await converge(id);
    expectSettled(row);
    expect(backend.statusOf(id)).toBe("paused");
    expect(row.state).toBe("paused");
  });

  it("leaves a running session's briefly frozen container alone (a manual snapshot pauses it)", async () => {
    const id = await sessionIn("running", "snapshotting");
    backend.setStatus(id, "paused");
    await runnerPass(id);
    expect(backend.statusOf(id)).toBe("paused");
    expect((await read(id)).state).toBe("running");
    backend.setStatus(id, "running");
  });
});

describe("the retry policy with the reconciler", () => {
  it("gives up after three failed passes: container gone, files kept, failed with the error", async () => {
    const id = await sessionIn("running", "survives the failure");
    await setDesired(id, "paused");
    backend.crashOn("pause", 3);
    for (let i = 0; i < 2; i++) {
      await runnerPass(id);
      expect((await read(id)).state).toBe("running");
      expect(backend.statusOf(id)).toBe("running");
    }
    await runnerPass(id);
    const row = await read(id);
    expect(row).toMatchObject({ state: "failed", failureReason: `simulated crash in pause ${id}` });
    expect(backend.statusOf(id)).toBeUndefined();
    expect(readFileSync(workspaceFile(id), "utf8")).toBe("survives the failure");
  });

  it("a success in between starts the count again", async () => {
    const id = await sessionIn("running", "y");
    await setDesired(id, "paused");
    backend.crashOn("pause", 2);
    await runnerPass(id);
    await runnerPass(id);
    expect((await converge(id)).state).toBe("paused");
    await setDesired(id, "running");
    backend.crashOn("resume", 2);
    await runnerPass(id);
    await runnerPass(id);
    expect((await converge(id)).state).toBe("running");
  });
});
