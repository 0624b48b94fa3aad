// A runner killed with SIGKILL mid-exec: the caller gets a clear error; the restarted runner adopts
// the session's container (nothing started twice, nothing orphaned) and the session works again,
// and the cut-off exec gets its "interrupted" end line and audit row.
// Also: background CPU use inside a sandbox counts as activity for the idle policy.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as hibernateRoute from "@/app/api/v1/sessions/[id]/hibernate/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import { db } from "@/lib/db/client";
import { EXEC_INTERRUPTED_LINE } from "@/lib/logs/exec-log-capture";
import { declareLostRunners } from "@/lib/runners/declare-lost-runners";
import { call } from "./helpers";
import { startRunner, useRunnerAndTenant, waitForSessionState } from "./runner-process";
import { waitFor } from "./wait-for";

const env = useRunnerAndTenant();

const exec = (id: string, command: string[], extra: Record<string, unknown> = {}) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: env.tenant.key, params: { id }, body: { command, ...extra } });

/** The command lines (NUL-separated, as in /proc) of a container's processes. */
function processesIn(containerId: string): string[] {
  const pids = JSON.parse(execFileSync("runc", ["ps", "--format", "json", containerId], { encoding: "utf8" }) || "[]") as number[];
  return pids.flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/cmdline`, "utf8")];
    } catch {
      return []; // exited meanwhile
    }
  });
}

function containersOf(sessionId: string): string[] {
  const out = execFileSync("runc", ["list", "--format", "json"], { encoding: "utf8" });
  return ((JSON.parse(out || "[]") ?? []) as { id: string }[]).map((c) => c.id).filter((id) => id.toLowerCase().includes(sessionId.toLowerCase()));
}

describe("runner crashes", () => {
  it("answers a clear error for an exec cut off by a SIGKILLed runner, then adopts the container on restart", async () => {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
    const id = created.body.id as string;
    await exec(id, ["sh", "-c", "echo before > /workspace/f"]);
    const pending = exec(id, ["sleep", "20"], { timeoutMs: 30_000 });
    await waitFor(() => containersOf(id).some((c) => processesIn(c).includes("sleep\0" + "20\0")), { what: "the exec to run in the sandbox" });
    await env.runner.kill();
    const cut = await pending;
    expect(cut.status).toBe(503);
    expect(cut.body.error.code).toBe("unavailable");
    expect(cut.body.error.message).toMatch(/runner/i);
    expect(containersOf(id)).toHaveLength(1);

    env.runner = await startRunner({ name: env.runner.name, pool: env.runner.pool, dataDir: env.runner.dataDir });
    const after = await exec(id, ["cat", "/workspace/f"]);
    expect(after.status).toBe(200);
    expect(after.body.stdout).toBe("before\n");
    expect(containersOf(id)).toHaveLength(1);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).state).toBe("running");

    // The exec the crash cut off: "$ sleep 20", then exactly one interrupted line, same source.
    const lines = await db().sessionLogLine.findMany({ where: { sessionId: id, stream: "system" }, orderBy: { seq: "asc" } });
    const ended = lines.filter((l) => l.line === EXEC_INTERRUPTED_LINE);
    expect(ended).toHaveLength(1);
    const cutLines = lines.filter((l) => l.source === ended[0].source).map((l) => l.line);
    expect(cutLines).toEqual(["$ sleep 20", EXEC_INTERRUPTED_LINE]);
    const audits = await db().auditEvent.findMany({ where: { tenantId: env.tenant.id, action: "session.exec", targetId: id } });
    const interrupted = audits.filter((a) => (a.metadata as { execId?: string }).execId === ended[0].source);
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({ actorType: "key", metadata: expect.objectContaining({ interrupted: true, exitCode: null, command: "sleep 20" }) });
    // Every exec is audited once: echo, the cut-off sleep, cat.
    expect(audits).toHaveLength(3);
  });

  it("removes containers of sessions it no longer owns when it starts, keeping their files aside", async () => {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
    const id = created.body.id as string;
    await exec(id, ["sh", "-c", "echo kept > /workspace/after-snapshot"]);
    await env.runner.kill();
    // While the runner was away the session failed elsewhere (e.g. declared lost).
    await db().session.update({ where: { id }, data: { state: "failed", failureReason: "runner_lost" } });
    env.runner = await startRunner({ name: env.runner.name, pool: env.runner.pool, dataDir: env.runner.dataDir });
    expect(containersOf(id)).toHaveLength(0);
    // The files of a session given up while its runner was away are never deleted by the sweep.
    const quarantine = path.join(env.runner.dataDir, "sandboxes", ".quarantine");
    const kept = existsSync(quarantine) ? readdirSync(quarantine).filter((d) => d.startsWith(id)) : [];
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(quarantine, kept[0], "workspace", "after-snapshot"), "utf8")).toBe("kept\n");
  });

  it("keeps the newer files of a session rolled back to its snapshot when it wakes on a host that still has them", async () => {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } } });
    const id = created.body.id as string;
    await exec(id, ["sh", "-c", "echo old > /workspace/in-snapshot"]);
    await call(hibernateRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/hibernate`, key: env.tenant.key, params: { id } });
    await waitForSessionState(env.runner, id, "hibernated");
    await exec(id, ["sh", "-c", "echo newer > /workspace/after-snapshot"]);
    await env.runner.kill();
    // The host went down with the runner (a reboot): the container is gone, its files are not.
    execFileSync("runc", ["kill", `burrow-${id}`, "KILL"]);
    execFileSync("runc", ["delete", "--force", `burrow-${id}`]);
    expect(containersOf(id)).toHaveLength(0);
    // Meanwhile the runner was declared lost: the session falls back to its snapshot.
    await declareLostRunners({ runnerIds: [env.runner.id], observingSince: new Date(0), now: new Date(Date.now() + 60_000) });
    expect(await db().session.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "hibernated", runnerId: null });

    env.runner = await startRunner({ name: env.runner.name, pool: env.runner.pool, dataDir: env.runner.dataDir });
    const woken = await exec(id, ["sh", "-c", "cat /workspace/in-snapshot; ls /workspace"]);
    expect(woken.body.stdout).toBe("old\nin-snapshot\n"); // data as of the snapshot, as documented
    const quarantine = path.join(env.runner.dataDir, "sandboxes", ".quarantine");
    const kept = existsSync(quarantine) ? readdirSync(quarantine).filter((d) => d.startsWith(id)) : [];
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(quarantine, kept[0], "workspace", "after-snapshot"), "utf8")).toBe("newer\n");
  });
});

describe("activity", () => {
  it("counts CPU use in the sandbox as activity, so a background job is not paused under itself", async () => {
    const created = await call(sessionsRoute.POST, { method: "POST", path: "/api/v1/sessions", key: env.tenant.key, body: { pool: env.runner.pool } });
    const id = created.body.id as string;
    await exec(id, ["sh", "-c", "nohup sh -c 'while :; do :; done' >/dev/null 2>&1 &"]);
    const before = (await db().session.findUniqueOrThrow({ where: { id } })).lastActivityAt;
    let after = before;
    for (let i = 0; i < 60 && after.getTime() === before.getTime(); i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = (await db().session.findUniqueOrThrow({ where: { id } })).lastActivityAt;
    }
    expect(after.getTime()).toBeGreaterThan(before.getTime());
  });
});
