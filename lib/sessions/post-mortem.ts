// A session's post-mortem: why its sandbox (or a process in it) was stopped by a limit — OOM kill,
// pids limit, disk full, time limit or spend limit — with the peak memory of its cgroup and the
// last lines of its log. Kept on the session (the latest one, `postMortem` in the API) and appended
// to its timeline as an event in its current state (fromState = toState, so billing's intervals
// are unchanged: a span continues in the same state).
import { db } from "../db/client";
import { newId } from "../ids";
import { POST_MORTEM_LINES, type PostMortem, type PostMortemReason } from "./schemas";

const MAX_LINE_CHARS = 500;

const MESSAGES: Record<PostMortemReason, string> = {
  oom_kill: "A process was killed: the sandbox reached its memory limit (memoryMib)",
  pids_limit: "A process could not be started: the sandbox reached its process limit",
  disk_full: "The sandbox's disk is full (diskMib, or its file count): writes get ENOSPC",
  lifetime: "The session reached its time limit (maxLifetimeSeconds) and was terminated",
  spend_limit: "The session was terminated: the spend limit was reached",
};

/** A post-mortem's contents; the last log lines are read here. */
export async function buildPostMortem(
  sessionId: string,
  reason: PostMortemReason,
  facts: Pick<PostMortem, "peakMemoryBytes" | "counters" | "disk">,
  now = new Date(),
): Promise<PostMortem> {
  const lines = await db().sessionLogLine.findMany({
    where: { sessionId }, orderBy: { seq: "desc" }, take: POST_MORTEM_LINES, select: { stream: true, line: true, at: true },
  });
  return {
    reason, at: now.toISOString(), message: MESSAGES[reason], ...facts,
    lastLines: lines.reverse().map((l) => ({ stream: l.stream, line: l.line.slice(0, MAX_LINE_CHARS), at: l.at.toISOString() })),
  };
}

/**
 * Stores the post-mortem on the session and appends it to the timeline, in one transaction. The
 * update locks the row first, so the event takes the state the session is in after any concurrent
 * transition (never a stale one that would restart a billed span). The runner acts as the system
 * actor for a session it holds, of any tenant: named by id.
 */
export async function recordPostMortem(sessionId: string, postMortem: PostMortem): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.session.update({ where: { id: sessionId }, data: { postMortem }, select: { tenantId: true, state: true } });
    await tx.sessionEvent.create({
      data: {
        id: newId("sev"), tenantId: row.tenantId, sessionId, fromState: row.state, toState: row.state,
        cause: postMortem.reason, detail: postMortem as object, createdAt: new Date(),
      },
    });
  });
}
