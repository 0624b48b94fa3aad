// The three tiers every phase compares: the REST API (server + runner worker), the runc backend
// alone in this process, and raw runc (bench/lib/raw-runc.ts).
import type { SandboxBackend } from "../../lib/sandbox";
import type { JsonClient } from "../lib/json-client";
import { sleep } from "./helpers";

export type SessionView = { id: string; state: string; desiredState: string; failureReason: string | null };
export type ExecResult = { exitCode: number; stdout: string; stderr: string; durationMs: number };
export type SessionEvent = { fromState: string | null; toState: string; cause: string; detail: Record<string, unknown>; at: string };
export type SnapshotView = { id: string; logicalBytes: number; storedBytes: number; fileCount: number; reason: string; createdAt: string };

export class Api {
  /** Every session this run created (for the final check), and those not seen terminated yet. */
  constructor(
    readonly http: JsonClient,
    readonly pool: string,
    readonly pollMs: number,
    readonly created = new Set<string>(),
    readonly live = new Set<string>(),
  ) {}

  async create(memoryMib: number, vcpu: number): Promise<string> {
    const s = await this.http.ok<SessionView>("POST", "/api/v1/sessions", {
      template: "base",
      resources: { vcpu, memoryMib },
      idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null },
      pool: this.pool,
    });
    this.created.add(s.id);
    this.live.add(s.id);
    return s.id;
  }

  async exec(id: string, command: string[], timeoutMs = 60_000): Promise<ExecResult> {
    // The server waits up to 120 s for the session to be running before it execs.
    const r = await this.http.ok<ExecResult>("POST", `/api/v1/sessions/${id}/exec`, { command, timeoutMs }, timeoutMs + 150_000);
    if (r.exitCode !== 0) throw new Error(`exec ${command.join(" ").slice(0, 40)} in ${id}: exit ${r.exitCode}: ${r.stderr.slice(0, 300)}`);
    return r;
  }

  get(id: string) {
    return this.http.ok<SessionView>("GET", `/api/v1/sessions/${id}`);
  }

  /** Polls GET every `pollMs` until the state is one of `states`; rejects on failed or at the timeout. */
  async waitFor(id: string, states: string[], timeoutMs: number, pollMs = this.pollMs): Promise<SessionView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.get(id);
      if (states.includes(s.state)) {
        if (s.state === "terminated") this.live.delete(id);
        return s;
      }
      if (s.state === "failed") throw new Error(`session ${id} failed: ${s.failureReason}`);
      if (s.state === "terminated") {
        this.live.delete(id);
        throw new Error(`session ${id} was terminated while waiting for ${states.join("/")}`);
      }
      if (Date.now() > deadline) throw new Error(`session ${id} still ${s.state} after ${timeoutMs} ms (waiting for ${states.join("/")})`);
      await sleep(pollMs);
    }
  }

  async terminate(id: string, wait = true, pollMs = this.pollMs): Promise<void> {
    await this.http.ok("DELETE", `/api/v1/sessions/${id}`);
    if (wait) await this.waitFor(id, ["terminated"], 120_000, pollMs);
  }

  async events(id: string): Promise<SessionEvent[]> {
    const r = await this.http.ok<{ data: SessionEvent[] }>("GET", `/api/v1/sessions/${id}/events`);
    return r.data;
  }

  async snapshots(id: string): Promise<SnapshotView[]> {
    const r = await this.http.ok<{ data: SnapshotView[] }>("GET", `/api/v1/sessions/${id}/snapshots`);
    return r.data.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}

export class Backend {
  readonly created = new Set<string>();
  readonly live = new Set<string>();
  private n = 0;
  constructor(readonly backend: SandboxBackend, private readonly prefix: string) {}

  async create(memoryMib: number, vcpu: number): Promise<string> {
    const id = `${this.prefix}-${++this.n}`;
    this.created.add(id);
    this.live.add(id);
    await this.backend.create({ id, rootfs: { kind: "host" }, resources: { vcpu, memoryMib }, env: {} });
    return id;
  }

  async exec(id: string, command: string[]) {
    const r = await this.backend.exec(id, { command });
    if (r.exitCode !== 0) throw new Error(`backend exec in ${id}: exit ${r.exitCode}: ${r.stderr.slice(0, 200)}`);
  }

  async destroy(id: string) {
    await this.backend.destroy(id);
    this.live.delete(id);
  }
}

/** Event-derived split of an API create: waiting for the runner, and the runner's own start. */
export function startBreakdown(events: SessionEvent[]) {
  const at = (state: string) => {
    const e = events.find((x) => x.toState === state);
    return e ? Date.parse(e.at) : NaN;
  };
  return { pickupMs: at("starting") - at("pending"), runnerStartMs: at("running") - at("starting") };
}
