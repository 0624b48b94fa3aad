import { describe, expect, it } from "vitest";
import { ApiKeyCache, type KeyRow } from "./api-key-cache";

const row = (over: Partial<KeyRow> = {}): KeyRow => ({
  id: "key_1", tenantId: "ten_1", tenantSlug: "t", tenantName: "T", tenantCreatedAt: new Date(0), start: "bur_abcdef", scopes: ["admin"],
  expiresAt: null, revokedAt: null, lastUsedAt: null, ...over,
});

function fixture(ttlMs = 1000) {
  let clock = 0;
  let current: KeyRow | null = row();
  let loads = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const cache = new ApiKeyCache({
    ttlMs, listen: false, now: () => clock,
    load: async () => {
      loads += 1;
      const answer = current ? { ...current } : null;
      if (hold) await new Promise<void>((r) => (release = r));
      return answer;
    },
  });
  return {
    cache,
    set: (r: KeyRow | null) => (current = r),
    tick: (ms: number) => (clock += ms),
    loads: () => loads,
    hold: (on: boolean) => (hold = on),
    release: () => release?.(),
  };
}

describe("ApiKeyCache", () => {
  it("answers from the cache within the TTL and loads again after it", async () => {
    const f = fixture(1000);
    expect((await f.cache.get("h"))?.scopes).toEqual(["admin"]);
    f.set(row({ scopes: ["sessions:read"] }));
    f.tick(999);
    expect((await f.cache.get("h"))?.scopes).toEqual(["admin"]);
    expect(f.loads()).toBe(1);
    f.tick(2);
    expect((await f.cache.get("h"))?.scopes).toEqual(["sessions:read"]);
    expect(f.loads()).toBe(2);
  });

  it("forgets a key by id or by tenant at once", async () => {
    const f = fixture(60_000);
    await f.cache.get("h");
    f.set(row({ revokedAt: new Date(0) }));
    f.cache.forget({ keyIds: ["key_other"] });
    expect((await f.cache.get("h"))?.revokedAt).toBeNull();
    f.cache.forget({ keyIds: ["key_1"] });
    expect((await f.cache.get("h"))?.revokedAt).toEqual(new Date(0));
    f.set(null);
    f.cache.forget({ tenantIds: ["ten_1"] });
    expect(await f.cache.get("h")).toBeNull();
  });

  it("does not keep a lookup that was in flight when a change was announced", async () => {
    const f = fixture(60_000);
    f.hold(true);
    const pending = f.cache.get("h");
    await Promise.resolve();
    f.cache.forget({ keyIds: ["key_1"] });
    f.set(row({ revokedAt: new Date(0) }));
    f.hold(false);
    f.release();
    expect((await pending)?.revokedAt).toBeNull();
    // The old row was answered to the request that asked before the change, but not stored.
    expect((await f.cache.get("h"))?.revokedAt).toEqual(new Date(0));
  });

  it("shares one load between concurrent misses and does not cache an unknown key", async () => {
    const f = fixture(60_000);
    await Promise.all([f.cache.get("h"), f.cache.get("h"), f.cache.get("h")]);
    expect(f.loads()).toBe(1);
    f.set(null);
    f.cache.clear();
    expect(await f.cache.get("h")).toBeNull();
    expect(await f.cache.get("h")).toBeNull();
    expect(f.loads()).toBe(3);
  });

  it("with a TTL of 0 loads every time", async () => {
    const f = fixture(0);
    await f.cache.get("h");
    await f.cache.get("h");
    expect(f.loads()).toBe(2);
  });
});
