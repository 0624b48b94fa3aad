// The runner's open terminals (id → shell on a TTY in a sandbox). A terminal lives in the runner
// process: viewers attach to its output (from a byte offset, so a reconnect misses nothing that
// is still buffered), input and resizes go straight to the shell. Closed terminals stay listed a
// minute, so a viewer that comes back learns why it ended ("session paused") instead of a 404.
import { newId } from "../ids";
import type { SandboxBackend, SandboxTerminal } from "../sandbox";
import { OutputBuffer } from "./output-buffer";

export type TerminalEvent =
  | { type: "output"; offset: number; data: string }
  | { type: "gap"; from: number; to: number }
  | { type: "closed"; reason: string; exitCode: number | null }
  | { type: "heartbeat" };

/** One attached viewer: `send` answers false when its connection is full (back-pressure). */
export type TerminalViewer = { send: (event: TerminalEvent) => boolean; end: () => void };

export type TerminalInfo = { id: string; sessionId: string; tenantId: string; cols: number; rows: number; openedAt: string };

type Viewer = TerminalViewer & { congestedSince: number | null };

type Terminal = TerminalInfo & {
  shell: SandboxTerminal | null;
  buffer: OutputBuffer;
  viewers: Set<Viewer>;
  /** Last time a viewer was attached (or the terminal opened). */
  seenAt: number;
  closing: { reason: string; byUser: boolean } | null;
  closed: { reason: string; exitCode: number | null } | null;
  done: Promise<void>;
};

export type TerminalRegistryOptions = {
  backend: Pick<SandboxBackend, "openTerminal">;
  /** Called every ACTIVITY_EVERY_MS for each session with an open terminal (idle policy). */
  touchActivity: (sessionId: string) => Promise<void>;
  /** A terminal ended for a reason other than its user closing it (for the audit log). */
  onClosed: (t: TerminalInfo, reason: string, byUser: boolean) => Promise<void>;
  maxPerSession?: number;
  bufferBytes?: number;
  /** A terminal nobody has watched this long is closed (a tab closed without saying so). */
  unwatchedCloseMs?: number;
};

export class TerminalError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const ACTIVITY_EVERY_MS = 10_000;
const CHECK_EVERY_MS = 1_000;
const HEARTBEAT_EVERY_MS = 15_000;
const CLOSED_KEPT_MS = 60_000;
/** A viewer whose connection stays full this long is cut loose (it can reconnect from its offset). */
const CONGESTED_CUT_MS = 10_000;

export class TerminalRegistry {
  private readonly terminals = new Map<string, Terminal>();
  private readonly timers: NodeJS.Timeout[];
  private lastActivity = 0;

  constructor(private readonly opts: TerminalRegistryOptions) {
    this.timers = [
      setInterval(() => this.check(), CHECK_EVERY_MS),
      setInterval(() => this.broadcast({ type: "heartbeat" }), HEARTBEAT_EVERY_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  async open(session: { id: string; tenantId: string }, size: { cols: number; rows: number }): Promise<TerminalInfo> {
    const { backend } = this.opts;
    if (!backend.openTerminal) throw new TerminalError(503, "unavailable", "This runner's sandbox runtime has no terminals");
    const open = [...this.terminals.values()].filter((t) => t.sessionId === session.id && !t.closed);
    const max = this.opts.maxPerSession ?? 8;
    if (open.length >= max) throw new TerminalError(409, "conflict", `The session has ${open.length} open terminals (at most ${max}); close one first`);
    let finished!: () => void;
    const t: Terminal = {
      id: newId("trm"), sessionId: session.id, tenantId: session.tenantId, cols: size.cols, rows: size.rows, openedAt: new Date().toISOString(),
      shell: null, buffer: new OutputBuffer(this.opts.bufferBytes ?? 256 * 1024), viewers: new Set(), seenAt: Date.now(),
      closing: null, closed: null, done: new Promise<void>((r) => (finished = r)),
    };
    // Listed while it starts, so that closing the session's terminals also catches this one.
    this.terminals.set(t.id, t);
    try {
      t.shell = await backend.openTerminal(session.id, { cols: size.cols, rows: size.rows }, {
        onOutput: (chunk) => this.output(t, chunk),
        onExit: ({ exitCode }) => {
          this.finish(t, exitCode);
          finished();
        },
      });
    } catch (err) {
      this.terminals.delete(t.id);
      finished();
      throw err;
    }
    if (t.closing) {
      await t.shell.close();
      throw new TerminalError(409, "conflict", `The terminal was closed as it opened: ${t.closing.reason}`);
    }
    void this.opts.touchActivity(session.id).catch(() => {});
    return info(t);
  }

  /** A terminal of this session (open, or closed less than a minute ago); 404 otherwise. */
  get(sessionId: string, terminalId: string): TerminalInfo & { closed: Terminal["closed"] } {
    const t = this.find(sessionId, terminalId);
    return { ...info(t), closed: t.closed };
  }

  write(sessionId: string, terminalId: string, data: Buffer): void {
    const t = this.openOrThrow(sessionId, terminalId);
    t.shell!.write(data);
  }

  resize(sessionId: string, terminalId: string, cols: number, rows: number): void {
    const t = this.openOrThrow(sessionId, terminalId);
    t.shell!.resize(cols, rows);
    t.cols = cols;
    t.rows = rows;
  }

  /**
   * Attaches a viewer: first what it missed after `after` (or a gap event), then live output, and
   * last a `closed` event, after which the viewer is ended. Returns the detach function.
   */
  attach(sessionId: string, terminalId: string, after: number, viewer: TerminalViewer): { detach: () => void; drained: () => void } {
    const t = this.find(sessionId, terminalId);
    const v: Viewer = { ...viewer, congestedSince: null };
    const { gap, chunks } = t.buffer.since(after);
    if (gap) v.send({ type: "gap", ...gap });
    for (const c of chunks) v.send({ type: "output", offset: c.offset, data: c.data.toString("base64") });
    t.seenAt = Date.now();
    if (t.closed) {
      v.send({ type: "closed", ...t.closed });
      v.end();
      return { detach: () => {}, drained: () => {} };
    }
    t.viewers.add(v);
    return {
      detach: () => {
        t.viewers.delete(v);
        t.seenAt = Date.now();
        this.updateFlow(t);
      },
      drained: () => {
        v.congestedSince = null;
        this.updateFlow(t);
      },
    };
  }

  /** Ends the shell and everything it started; resolves once they are gone. Idempotent. */
  async close(sessionId: string, terminalId: string, reason: string, byUser = false): Promise<{ reason: string }> {
    const t = this.find(sessionId, terminalId);
    await this.closeTerminal(t, reason, byUser);
    return { reason: t.closed?.reason ?? reason };
  }

  /** Closes every terminal of a session (before it is paused, hibernated or terminated). */
  async closeSession(sessionId: string, reason: string): Promise<void> {
    const mine = [...this.terminals.values()].filter((t) => t.sessionId === sessionId);
    await Promise.all(mine.map((t) => this.closeTerminal(t, reason, false)));
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.all([...this.terminals.values()].map((t) => this.closeTerminal(t, reason, false)));
    for (const t of this.timers) clearInterval(t);
  }

  /** Open terminals (for tests and diagnostics). */
  list(): TerminalInfo[] {
    return [...this.terminals.values()].filter((t) => !t.closed).map(info);
  }

  private async closeTerminal(t: Terminal, reason: string, byUser: boolean) {
    if (!t.closed && !t.closing) {
      t.closing = { reason, byUser };
      // Still starting: open() closes it as soon as the shell is there.
      if (t.shell) await t.shell.close();
    }
    await t.done;
  }

  private find(sessionId: string, terminalId: string): Terminal {
    const t = this.terminals.get(terminalId);
    if (!t || t.sessionId !== sessionId) throw new TerminalError(404, "not_found", "Terminal not found");
    return t;
  }

  private openOrThrow(sessionId: string, terminalId: string): Terminal {
    const t = this.find(sessionId, terminalId);
    if (t.closed || t.closing || !t.shell) throw new TerminalError(409, "conflict", `The terminal is closed: ${t.closed?.reason ?? t.closing!.reason}`);
    return t;
  }

  private output(t: Terminal, data: Buffer) {
    const chunk = t.buffer.append(data);
    const event: TerminalEvent = { type: "output", offset: chunk.offset, data: data.toString("base64") };
    for (const v of t.viewers) if (!v.send(event) && v.congestedSince === null) v.congestedSince = Date.now();
    this.updateFlow(t);
  }

  /** The shell waits while any viewer's connection is full, as a real terminal would. */
  private updateFlow(t: Terminal) {
    if (!t.shell || t.closed) return;
    const congested = [...t.viewers].some((v) => v.congestedSince !== null);
    if (congested) t.shell.pauseOutput();
    else t.shell.resumeOutput();
  }

  private finish(t: Terminal, exitCode: number | null) {
    const reason = t.closing?.reason ?? (exitCode === null ? "the shell ended" : `the shell exited with code ${exitCode}`);
    t.closed = { reason, exitCode: t.closing ? null : exitCode };
    for (const v of t.viewers) {
      v.send({ type: "closed", ...t.closed });
      v.end();
    }
    t.viewers.clear();
    setTimeout(() => this.terminals.delete(t.id), CLOSED_KEPT_MS).unref();
    void this.opts.onClosed(info(t), reason, t.closing?.byUser ?? false).catch(() => {});
  }

  private check() {
    const now = Date.now();
    const unwatchedMs = this.opts.unwatchedCloseMs ?? 60_000;
    const touch = now - this.lastActivity >= ACTIVITY_EVERY_MS;
    if (touch) this.lastActivity = now;
    const sessions = new Set<string>();
    for (const t of this.terminals.values()) {
      if (t.closed || t.closing) continue;
      sessions.add(t.sessionId);
      for (const v of t.viewers) {
        if (v.congestedSince !== null && now - v.congestedSince > CONGESTED_CUT_MS) {
          t.viewers.delete(v);
          v.end();
          this.updateFlow(t);
        }
      }
      if (t.viewers.size > 0) t.seenAt = now;
      else if (now - t.seenAt > unwatchedMs) void this.closeTerminal(t, `nobody watched it for ${Math.round(unwatchedMs / 1000)} s`, false);
    }
    if (touch) for (const s of sessions) void this.opts.touchActivity(s).catch(() => {});
  }

  private broadcast(event: TerminalEvent) {
    for (const t of this.terminals.values()) for (const v of t.viewers) v.send(event);
  }
}

const info = (t: Terminal): TerminalInfo => ({ id: t.id, sessionId: t.sessionId, tenantId: t.tenantId, cols: t.cols, rows: t.rows, openedAt: t.openedAt });
