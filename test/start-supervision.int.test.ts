// `npm start`'s supervision (scripts/supervise-children.ts) with real processes: a child killed by a
// signal stops the stack with exit code 1 (before, the parent waited forever on a child whose
// exitCode stays null); SIGTERM stops every child; a parent killed with SIGKILL leaves no child.
import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

type Stack = { parent: ChildProcess; children: number[]; output: () => string; exited: Promise<{ code: number | null; signal: string | null }> };

async function startStack(): Promise<Stack> {
  const parent = spawn(process.execPath, ["--import", "tsx", "test/supervised-stack-child.ts"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  parent.stdout!.on("data", (d) => (output += d));
  parent.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => parent.once("exit", (code, signal) => r({ code, signal })));
  for (let i = 0; i < 200 && !/"children"/.test(output) && parent.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  const line = output.split("\n").find((l) => l.includes('"children"'));
  if (!line) throw new Error(`the stack did not start:\n${output}`);
  return { parent, children: (JSON.parse(line) as { children: number[] }).children, output: () => output, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls (bounded) until none of `pids` runs; returns those still running. */
async function waitGone(pids: number[], ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive);
}

/** Resolves with the parent's exit, or "still running" after a bound. */
const exitOrTimeout = (stack: Stack, ms = 15_000) =>
  Promise.race([stack.exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), ms))]);

describe("npm start supervision", () => {
  it("stops everything and exits 1 when a child is killed by a signal", async () => {
    const stack = await startStack();
    process.kill(stack.children[1], "SIGKILL");
    const exit = await exitOrTimeout(stack);
    if (exit === "still running") stack.parent.kill("SIGKILL");
    expect(exit, stack.output()).toEqual({ code: 1, signal: null });
    expect(await waitGone(stack.children)).toEqual([]);
    expect(stack.output()).toContain("runner exited (killed by SIGKILL)");
    expect(stack.output()).toContain("database stopped");
  });

  it("stops every child and the database on SIGTERM, exit 0", async () => {
    const stack = await startStack();
    stack.parent.kill("SIGTERM");
    expect(await exitOrTimeout(stack)).toEqual({ code: 0, signal: null });
    expect(await waitGone(stack.children)).toEqual([]);
    expect(stack.output()).toContain("database stopped");
  });

  it("leaves no child running when the parent itself is killed with SIGKILL", async () => {
    const stack = await startStack();
    stack.parent.kill("SIGKILL");
    await stack.exited;
    const left = await waitGone(stack.children);
    for (const pid of left) process.kill(pid, "SIGKILL");
    expect(left).toEqual([]);
  });
});
