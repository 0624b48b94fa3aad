import { describe, expect, it } from "vitest";
import { AdmissionQueue } from "./admission-queue";
import { AppError } from "./errors";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("AdmissionQueue", () => {
  it("runs at most `concurrency` at once and admits the waiting in arrival order", async () => {
    const q = new AdmissionQueue({ name: "creates", concurrency: 2, maxQueued: 10, maxWaitMs: 10_000 });
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((g, i) => q.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(q.stats()).toEqual({ running: 2, queued: 3 });
    gates[1].resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(q.stats()).toEqual({ running: 0, queued: 0 });
  });

  it("answers 503 with Retry-After when the queue is full, and frees the slot of a failed run", async () => {
    const q = new AdmissionQueue({ name: "creates", concurrency: 1, maxQueued: 1, maxWaitMs: 10_000 });
    const hold = deferred();
    const first = q.run(() => hold.promise);
    const second = q.run(async () => {
      throw new Error("boom");
    });
    const third = q.run(async () => "never");
    await expect(third).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.status === 503 && Number(e.headers?.["Retry-After"]) >= 1);
    hold.resolve();
    await first;
    await expect(second).rejects.toThrow("boom");
    expect(q.stats()).toEqual({ running: 0, queued: 0 });
    expect(await q.run(async () => "ok")).toBe("ok");
  });

  it("answers 503 to one that waited longer than maxWaitMs and takes it out of the queue", async () => {
    const q = new AdmissionQueue({ name: "creates", concurrency: 1, maxQueued: 5, maxWaitMs: 20 });
    const hold = deferred();
    const first = q.run(() => hold.promise);
    await expect(q.run(async () => "late")).rejects.toMatchObject({ code: "unavailable", details: { queue: "wait_exceeded" } });
    expect(q.stats()).toEqual({ running: 1, queued: 0 });
    hold.resolve();
    await first;
    expect(q.stats()).toEqual({ running: 0, queued: 0 });
  });
});
