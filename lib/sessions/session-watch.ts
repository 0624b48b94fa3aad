// One LISTEN connection per web process for "session S changed" notices (session-notice.ts), handed
// to the consoles that follow S (follow-session.ts). A notice only says "look now": listeners read
// the session themselves. After every (re)connect each listener is told to look, since notices sent
// while the connection was down are gone.
import pg from "pg";
import { databaseUrlOrThrow } from "../env";
import { parseSessionNotice, SESSION_CHANNEL } from "./session-notice";

type Listener = () => void;
const log = (msg: string) => console.error(`[session-watch] ${msg}`);
const MAX_BACKOFF_MS = 5000;

export class SessionWatch {
  private readonly listeners = new Map<string, Set<Listener>>();
  private client: pg.Client | null = null;
  private started = false;
  private backoffMs = 100;

  /** Calls `onChange` after each committed change of the session; returns the unsubscribe. */
  subscribe(tenantId: string, sessionId: string, onChange: Listener): () => void {
    this.start();
    const key = `${tenantId} ${sessionId}`;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrlOrThrow(), application_name: "burrow-session-watch", keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => {});
      log(`LISTEN connection lost${err ? ` (${err.message})` : ""}; reconnecting in ${this.backoffMs} ms`);
      setTimeout(() => void this.connect(), this.backoffMs).unref();
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (n) => {
      const notice = parseSessionNotice(n.payload);
      if (notice) this.tell(`${notice.tenantId} ${notice.sessionId}`);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SESSION_CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (lost) return;
    this.client = client;
    this.backoffMs = 100;
    for (const key of this.listeners.keys()) this.tell(key);
  }

  private tell(key: string): void {
    for (const listener of [...(this.listeners.get(key) ?? [])]) listener();
  }
}

const holder = globalThis as unknown as { burrowSessionWatch?: SessionWatch };

/** The process's watch (kept on globalThis so a dev hot reload does not open a second LISTEN). */
export function sessionWatch(): SessionWatch {
  holder.burrowSessionWatch ??= new SessionWatch();
  return holder.burrowSessionWatch;
}
