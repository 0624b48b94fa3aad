// Execs in flight on a runner, kept as one small file each under the runner's DATA_DIR. The web app
// writes an exec's audit row when the runner answers with its exit; a runner killed mid-exec never
// answers, so on its next start it closes every exec still on file: an exact "interrupted" end line
// in the session's log and the exec's audit row, with the actor who asked for it.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Actor } from "../auth/context";
import { recordAuditEvent } from "../audit";
import { tenantDb } from "../db/tenant-scope";
import { appendSessionLogs } from "../logs/append-session-logs";
import { EXEC_INTERRUPTED_LINE, formatCommand } from "../logs/exec-log-capture";

export type ExecInFlight = {
  execId: string;
  tenantId: string;
  sessionId: string;
  command: string[];
  startedAt: string;
  actor: Actor;
  ip: string | null;
};

const SYSTEM_ACTOR: Actor = { type: "system", id: null, label: "runner" };
const fileOf = (dir: string, execId: string) => path.join(dir, `${execId}.json`);

export async function recordExecStarted(dir: string, exec: Omit<ExecInFlight, "actor" | "ip"> & { actor?: Actor | null; ip?: string | null }): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entry: ExecInFlight = { ...exec, actor: validActor(exec.actor) ?? SYSTEM_ACTOR, ip: typeof exec.ip === "string" ? exec.ip : null };
  await writeFile(fileOf(dir, exec.execId), JSON.stringify(entry), { mode: 0o600 });
}

export async function recordExecEnded(dir: string, execId: string): Promise<void> {
  await rm(fileOf(dir, execId), { force: true });
}

/** Closes the execs a previous run of this runner left in flight; returns how many. */
export async function closeInterruptedExecs(dir: string, log: (msg: string) => void): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  let closed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    let exec: ExecInFlight;
    try {
      exec = JSON.parse(await readFile(file, "utf8")) as ExecInFlight;
    } catch {
      await rm(file, { force: true }); // half-written at the crash: the exec had not started
      continue;
    }
    await closeOne(exec);
    await rm(file, { force: true });
    closed++;
    log(`exec ${exec.execId} in session ${exec.sessionId} was interrupted by the runner's stop; logged and audited`);
  }
  return closed;
}

// Each half is skipped when already there, so a crash in between leaves no duplicate.
async function closeOne(exec: ExecInFlight) {
  const tdb = tenantDb(exec.tenantId);
  const session = await tdb.session.findFirst({ where: { id: exec.sessionId }, select: { id: true } });
  if (!session) return;
  const lined = await tdb.sessionLogLine.count({ where: { sessionId: exec.sessionId, source: exec.execId, stream: "system", line: EXEC_INTERRUPTED_LINE } });
  if (lined === 0) {
    const hasStart = await tdb.sessionLogLine.count({ where: { sessionId: exec.sessionId, source: exec.execId } });
    const startedAt = new Date(exec.startedAt);
    const lines = [
      ...(hasStart ? [] : [{ stream: "system" as const, source: exec.execId, at: startedAt, line: `$ ${formatCommand(exec.command)}` }]),
      { stream: "system" as const, source: exec.execId, at: new Date(), line: EXEC_INTERRUPTED_LINE },
    ];
    await appendSessionLogs(exec.tenantId, exec.sessionId, lines);
  }
  const ctx = { tenantId: exec.tenantId, actor: exec.actor, ip: exec.ip, db: tdb };
  const audited = await ctx.db.auditEvent.count({ where: { action: "session.exec", targetId: exec.sessionId, metadata: { path: ["execId"], equals: exec.execId } } });
  if (audited === 0) {
    await recordAuditEvent(ctx, {
      action: "session.exec", targetType: "session", targetId: exec.sessionId,
      metadata: { command: exec.command.join(" ").slice(0, 1000), exitCode: null, interrupted: true, execId: exec.execId, startedAt: exec.startedAt },
    });
  }
}

function validActor(a: unknown): Actor | null {
  const actor = a as Actor | null | undefined;
  if (!actor || typeof actor.label !== "string") return null;
  if ((actor.type === "user" || actor.type === "key") && typeof actor.id === "string") return { type: actor.type, id: actor.id, label: actor.label };
  if (actor.type === "system") return { type: "system", id: null, label: actor.label };
  return null;
}
