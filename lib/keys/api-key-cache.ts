// The API key lookup of each request, cached in the web process by the secret's hash so that a
// request needs no key query. A change to a key is honoured at once, not after the TTL:
//   - a trigger on api_keys (migration 20261206220000_api_key_notices) NOTIFYs API_KEY_CHANNEL on
//     any change but lastUsedAt, and on delete; a change of the tenant's slug or name (which the
//     entry carries for GET /me) names the tenant. Every web process LISTENs and drops the entries named;
//   - this process's own revocations drop the entry before they answer (forgetApiKeys), so the
//     very next request here is refused even before the notice arrives;
//   - expiry is checked on every request against the cached expiresAt.
// The TTL (API_KEY_CACHE_TTL_MS, 5 s by default) is the bound when notices cannot arrive: while
// the LISTEN connection is down no entry is trusted for longer, and after every (re)connect the
// cache starts empty, since notices sent meanwhile are gone. A lookup that was in flight when a
// notice came is answered but not stored (the generation check), so it cannot re-cache an old row.
import { ListenConnection } from "../db/listen-connection";

export const API_KEY_CHANNEL = "burrow_api_keys";

export type KeyRow = {
  id: string; tenantId: string; tenantSlug: string; tenantName: string; tenantCreatedAt: Date; start: string; scopes: string[];
  expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null;
};

type Entry = { row: KeyRow; until: number };

export type ApiKeyCacheOptions = {
  ttlMs: number;
  load: (secretHash: string) => Promise<KeyRow | null>;
  /** Listen for change notices (false in tests of the TTL fallback). */
  listen: boolean;
  maxEntries?: number;
  now?: () => number;
};

const log = (msg: string) => console.error(`[api-key-cache] ${msg}`);

export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, { generation: number; promise: Promise<KeyRow | null> }>();
  private generation = 0;
  private readonly connection: ListenConnection | null;
  private started = false;
  private readonly maxEntries: number;
  private readonly now: () => number;
  readonly stats = { hits: 0, misses: 0, notices: 0, lastNotice: "" };

  constructor(private readonly opts: ApiKeyCacheOptions) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.connection = opts.listen && opts.ttlMs > 0
      ? new ListenConnection({
        channel: API_KEY_CHANNEL, applicationName: "burrow-api-key-cache", log,
        onNotice: (payload) => {
          this.stats.notices += 1;
          this.stats.lastNotice = payload ?? "";
          this.forgetNotice(payload);
        },
        onConnected: () => this.clear(),
      })
      : null;
  }

  /** The key row for this hash: from the cache when fresh, else loaded (concurrent misses share one query). */
  async get(secretHash: string): Promise<KeyRow | null> {
    if (this.opts.ttlMs <= 0) return this.opts.load(secretHash);
    this.start();
    const entry = this.entries.get(secretHash);
    if (entry && entry.until > this.now()) {
      this.stats.hits += 1;
      return entry.row;
    }
    if (entry) this.entries.delete(secretHash);
    this.stats.misses += 1;
    const pending = this.inflight.get(secretHash);
    if (pending && pending.generation === this.generation) return pending.promise;
    const generation = this.generation;
    const promise = this.opts.load(secretHash).then((row) => {
      // A notice that came meanwhile may be about this very row: answer with it, do not keep it.
      if (row && generation === this.generation) this.store(secretHash, row);
      return row;
    }).finally(() => {
      if (this.inflight.get(secretHash)?.promise === promise) this.inflight.delete(secretHash);
    });
    this.inflight.set(secretHash, { generation, promise });
    return promise;
  }

  /** Drops the entries of these keys (by id) and of these tenants, and voids lookups in flight. */
  forget(which: { keyIds?: readonly string[]; tenantIds?: readonly string[] }): void {
    this.generation += 1;
    const keys = new Set(which.keyIds ?? []);
    const tenants = new Set(which.tenantIds ?? []);
    for (const [hash, { row }] of this.entries) {
      if (keys.has(row.id) || tenants.has(row.tenantId)) this.entries.delete(hash);
    }
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  async stop(): Promise<void> {
    await this.connection?.stop();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.connection?.start();
  }

  private store(secretHash: string, row: KeyRow): void {
    // Entries are never trusted past the TTL; while the LISTEN connection is down, that is the bound.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(secretHash, { row, until: this.now() + this.opts.ttlMs });
  }

  private forgetNotice(payload: string | undefined): void {
    const [kind, id] = (payload ?? "").split(":", 2);
    if (kind === "key" && id) this.forget({ keyIds: [id] });
    else if (kind === "tenant" && id) this.forget({ tenantIds: [id] });
    else this.clear();
  }
}
