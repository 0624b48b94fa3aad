import { describe, expect, it } from "vitest";
import { SessionWorkQueue } from "./session-work-queue";

/** A turn that ends when its test says so. */
function controlled() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const work = (id: string) =>
    new Promise<void>((resolve) => {
      started.push(id);
      finish.set(`${id}#${started.filter((x) => x === id).length}`, resolve);
    });
  return { started, finish, work };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("SessionWorkQueue", () => {
  it("runs at most `concurrency` turns and starts the next as soon as one slot frees (no waves)", async () => {
    const c = controlled();
    const q = new SessionWorkQueue({ concurrency: 2, work: c.work });
    for (const id of ["a", "b", "c", "d"]) q.enqueue(id);
    expect(c.started).toEqual(["a", "b"]);
    c.finish.get("b#1")!();
    await tick();
    // b's slot went to c while a still runs.
    expect(c.started).toEqual(["a", "b", "c"]);
    expect(q.size).toEqual({ queued: 1, running: 2 });
    c.finish.get("a#1")!();
    await tick();
    expect(c.started).toEqual(["a", "b", "c", "d"]);
    c.finish.get("c#1")!();
    c.finish.get("d#1")!();
    await q.idle();
    expect(q.size).toEqual({ queued: 0, running: 0 });
  });

  it("never runs one session twice at once; asked again while running, it gets exactly one more turn", async () => {
    const c = controlled();
    const q = new SessionWorkQueue({ concurrency: 4, work: c.work });
    q.enqueue("a");
    q.enqueue("a"); // while running
    q.enqueue("a");
    expect(c.started).toEqual(["a"]);
    expect(q.has("a")).toBe(true);
    c.finish.get("a#1")!();
    await tick();
    expect(c.started).toEqual(["a", "a"]);
    c.finish.get("a#2")!();
    await q.idle();
    expect(c.started).toEqual(["a", "a"]);
    expect(q.has("a")).toBe(false);
  });

  it("a queued session is queued once, and a failed turn frees its slot", async () => {
    const logged: string[] = [];
    let calls = 0;
    const q = new SessionWorkQueue({
      concurrency: 1,
      log: (m) => logged.push(m),
      work: async (id) => {
        calls++;
        if (id === "x") throw new Error("boom");
      },
    });
    q.enqueue("x");
    q.enqueue("y");
    q.enqueue("y");
    await q.idle();
    expect(calls).toBe(2);
    expect(logged).toEqual(["session x: boom"]);
  });
});
