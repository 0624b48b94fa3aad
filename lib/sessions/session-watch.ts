// One LISTEN connection per web process for "session S changed" notices (session-notice.ts), handed
// to the consoles that follow S (follow-session.ts). A notice only says "look now": listeners read
// the session themselves. After every (re)connect each listener is told to look, since notices sent
// while the connection was down are gone.
import { ListenConnection } from "../db/listen-connection";
import { parseSessionNotice, SESSION_CHANNEL } from "./session-notice";

type Listener = () => void;
const log = (msg: string) => console.error(`[session-watch] ${msg}`);

export class SessionWatch {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started = false;
  private readonly listen = new ListenConnection({
    channel: SESSION_CHANNEL, applicationName: "burrow-session-watch", log,
    onNotice: (payload) => {
      const notice = parseSessionNotice(payload);
      if (notice) this.tell(`${notice.tenantId} ${notice.sessionId}`);
    },
    onConnected: () => {
      for (const key of this.listeners.keys()) this.tell(key);
    },
  });

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
    this.listen.start();
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
