import { describe, expect, it } from "vitest";
import { createTtlCache } from "./ttl-cache";

describe("createTtlCache", () => {
  it("serves an entry until its TTL passes, then loads it again", async () => {
    let t = 1_000;
    let loads = 0;
    const cache = createTtlCache<number>(1_000, 10, () => t);
    const load = async () => ++loads;
    expect(await cache.get("s", load)).toBe(1);
    t += 999;
    expect(cache.peek("s")?.value).toBe(1);
    expect(await cache.get("s", load)).toBe(1);
    t += 1;
    expect(cache.peek("s")).toBeUndefined();
    expect(await cache.get("s", load)).toBe(2);
  });

  it("forgets an entry at once when it is dropped (a change notice), and everything on clear", async () => {
    let loads = 0;
    const cache = createTtlCache<number>(60_000, 10);
    const load = async () => ++loads;
    await cache.get("a", load);
    await cache.get("b", load);
    cache.drop("a");
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("b")?.value).toBe(2);
    expect(await cache.get("a", load)).toBe(3);
    cache.clear();
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("b")).toBeUndefined();
  });

  it("does not keep a load that was under way when the key was dropped (it may predate the change)", async () => {
    const cache = createTtlCache<string>(60_000, 10);
    let release!: (v: string) => void;
    const pending = cache.get("s", () => new Promise<string>((r) => (release = r)));
    cache.drop("s"); // the notice arrives while the read is in flight
    release("read before the change");
    expect(await pending).toBe("read before the change");
    expect(cache.peek("s")).toBeUndefined();
    expect(await cache.get("s", async () => "read after")).toBe("read after");
    expect(cache.peek("s")?.value).toBe("read after");
  });

  it("stays bounded", async () => {
    const cache = createTtlCache<number>(60_000, 3);
    for (let i = 0; i < 10; i++) await cache.get(`k${i}`, async () => i);
    let held = 0;
    for (let i = 0; i < 10; i++) if (cache.peek(`k${i}`)) held++;
    expect(held).toBeLessThanOrEqual(3);
  });
});
