// The preview proxy's lookup cache: entries live `ttlMs` at most and are dropped at once on a
// change notice. A load that was already under way when its key was dropped answers its caller but
// is not kept (it may have read the row before the change committed), so a notice is never undone
// by a slow read that finishes after it.
export type TtlCache<T> = {
  /** The cached entry, or undefined: checked first so that a hit costs no promise. */
  peek(key: string): { value: T } | undefined;
  get(key: string, load: () => Promise<T>): Promise<T>;
  drop(key: string): void;
  clear(): void;
};

export function createTtlCache<T>(ttlMs: number, maxEntries: number, now: () => number = Date.now): TtlCache<T> {
  const map = new Map<string, { value: T; until: number }>();
  /** Bumped by every drop and clear: a load that saw another generation is not stored. */
  let generation = 0;
  return {
    peek(key) {
      const hit = map.get(key);
      return hit && hit.until > now() ? hit : undefined;
    },
    async get(key, load) {
      const hit = map.get(key);
      if (hit && hit.until > now()) return hit.value;
      const seen = generation;
      const value = await load();
      if (seen !== generation) return value;
      if (map.size >= maxEntries) map.clear();
      map.set(key, { value, until: now() + ttlMs });
      return value;
    },
    drop(key) {
      generation++;
      map.delete(key);
    },
    clear() {
      generation++;
      map.clear();
    },
  };
}
