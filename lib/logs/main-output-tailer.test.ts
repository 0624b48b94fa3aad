import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LogBatcher } from "./log-batcher";
import { MainOutputTailer } from "./main-output-tailer";

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tailer-test-"));
  dirs.push(dir);
  const lines: string[] = [];
  const batcher = { push: (_t: unknown, l: { line: string }) => (lines.push(l.line), true), whenWritable: async () => {} } as unknown as LogBatcher;
  // Polls are driven by the test, not the timer.
  const tailer = new MainOutputTailer(batcher, { pollMs: 3_600_000 });
  const source = { tenantId: "ten_1", sessionId: "ses_1", stdout: path.join(dir, "init.out"), stderr: path.join(dir, "init.log") };
  writeFileSync(source.stdout, "");
  writeFileSync(source.stderr, "");
  return { tailer, source, lines };
}

describe("MainOutputTailer", () => {
  it("reads new output on the next poll while a file is active, and within a few polls once it went quiet", async () => {
    const { tailer, source, lines } = setup();
    await tailer.sync([source]);
    appendFileSync(source.stdout, "first\n");
    await tailer.poll();
    expect(lines).toEqual(["first"]);
    for (let i = 0; i < 20; i++) await tailer.poll(); // quiet for 5 s at 250 ms
    appendFileSync(source.stdout, "after a quiet spell\n");
    let polls = 0;
    while (lines.length < 2 && polls < 8) {
      await tailer.poll();
      polls++;
    }
    expect(lines).toEqual(["first", "after a quiet spell"]);
    await tailer.close();
  });

  it("reads a quiet file one last time when its session is let go", async () => {
    const { tailer, source, lines } = setup();
    await tailer.sync([source]);
    for (let i = 0; i < 20; i++) await tailer.poll();
    appendFileSync(source.stderr, "last words\n");
    await tailer.sync([]);
    expect(lines).toEqual(["last words"]);
    await tailer.close();
  });

  it("does not split a line across a read while the batcher holds the reading back", async () => {
    const { source } = setup();
    const lines: string[] = [];
    let entered!: () => void;
    const waiting = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const room = new Promise<void>((r) => (release = r));
    let full = true;
    const batcher = {
      push: (_t: unknown, l: { line: string }) => (lines.push(l.line), !full),
      whenWritable: () => (entered(), room),
    } as unknown as LogBatcher;
    const tailer = new MainOutputTailer(batcher, { pollMs: 3_600_000 });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // the framer's idle timer
    // 1,000 lines of 100 bytes: the first 64 KiB read ends in the middle of a line.
    const line = (i: number) => `${String(i).padStart(6, "0")} ${"x".repeat(92)}`;
    writeFileSync(source.stdout, Array.from({ length: 1_000 }, (_, i) => `${line(i)}\n`).join(""));
    await tailer.sync([source]);
    const polled = tailer.poll();
    await waiting;
    vi.advanceTimersByTime(1_000); // the database is slow: far past the idle flush (250 ms)
    full = false;
    release();
    await polled;
    await tailer.close();
    expect(lines).toEqual(Array.from({ length: 1_000 }, (_, i) => line(i)));
  });
});
