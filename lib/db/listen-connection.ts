// One LISTEN connection that comes back by itself: on an error or end it reconnects after a backoff
// (100 ms doubling to a cap), and after each (re)connect calls onConnected, since notices sent
// while it was down are gone and the owner must look again at whatever it watches.
import pg from "pg";
import { databaseUrlOrThrow } from "../env";

export type ListenConnectionOptions = {
  channel: string;
  applicationName: string;
  onNotice: (payload: string | undefined) => void;
  onConnected: () => void;
  log: (msg: string) => void;
  maxBackoffMs?: number;
};

export class ListenConnection {
  private client: pg.Client | null = null;
  private stopped = false;
  private backoffMs = 100;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(private readonly opts: ListenConnectionOptions) {}

  start(): void {
    void this.connect();
  }

  isConnected(): boolean {
    return this.client !== null;
  }

  /** The backend pid of the connection (null while disconnected), for tests and operators. */
  backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: databaseUrlOrThrow(), application_name: this.opts.applicationName, keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.opts.log(`LISTEN connection lost${err ? ` (${err.message})` : ""}; reconnecting in ${this.backoffMs} ms`);
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => void this.connect(), this.backoffMs);
      this.reconnectTimer.unref();
      this.backoffMs = Math.min(this.opts.maxBackoffMs ?? 5000, this.backoffMs * 2);
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (n) => this.opts.onNotice(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.opts.channel}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoffMs = 100;
    this.opts.onConnected();
  }
}
