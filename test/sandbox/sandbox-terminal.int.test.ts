// The runner's terminal registry over a real runc sandbox, in this process: a viewer whose
// connection is full holds the shell back (nothing buffered without bound) until it drains; a
// terminal nobody watches closes by itself; one closed while it opens never lives on.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { TerminalRegistry, type TerminalEvent } from "../../lib/terminal/terminal-registry";
import { useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();

function registry(opts: { unwatchedCloseMs?: number } = {}) {
  const closed: string[] = [];
  const reg = new TerminalRegistry({
    backend: sandboxes.backend, touchActivity: async () => {}, onClosed: async (_t, reason) => void closed.push(reason), bufferBytes: 64 * 1024, ...opts,
  });
  return { reg, closed };
}

const inside = (id: string) => execFileSync("runc", ["ps", `burrow-${id}`], { encoding: "utf8" });

async function until(what: string, check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("terminal registry on a real sandbox", () => {
  it("holds the shell back while a viewer's connection is full, and lets it go on when drained", async () => {
    const { id } = await sandboxes.start();
    const { reg } = registry();
    const t = await reg.open({ id, tenantId: "ten_test" }, { cols: 80, rows: 24 });
    let text = "";
    let full = false;
    const viewer = reg.attach(id, t.id, 0, {
      send: (e: TerminalEvent) => {
        if (e.type === "output") text += Buffer.from(e.data, "base64").toString("latin1");
        return !full;
      },
      end: () => {},
    });
    await until("the prompt", () => text.includes("#"));
    full = true;
    reg.write(id, t.id, Buffer.from("seq 1 300000; echo END-$((7*6))\n"));
    await until("the echo of the command", () => text.includes("END-$((7*6))"));
    await new Promise((r) => setTimeout(r, 1000));
    const held = text.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(text.length).toBe(held); // nothing more while the viewer is full
    expect(text).not.toContain("END-42");
    expect(held).toBeLessThan(1_000_000); // seq prints ~2 MB
    full = false;
    viewer.drained();
    await until("the rest", () => text.includes("END-42"));
    expect(text).toContain("300000");
    await reg.closeAll("test over");
  });

  it("closes a terminal nobody watches, killing its shell", async () => {
    const { id } = await sandboxes.start();
    const { reg, closed } = registry({ unwatchedCloseMs: 1500 });
    const t = await reg.open({ id, tenantId: "ten_test" }, { cols: 80, rows: 24 });
    reg.write(id, t.id, Buffer.from("sleep 615 &\n"));
    await until("the job", () => inside(id).includes("sleep 615"));
    await until("the close", () => closed.length > 0, 10_000);
    expect(closed).toEqual(["nobody watched it for 2 s"]);
    expect(reg.get(id, t.id).closed).toEqual({ reason: "nobody watched it for 2 s", exitCode: null });
    expect(inside(id)).not.toContain("sleep 615");
    await reg.closeAll("test over");
  });

  it("a terminal closed while it opens does not live on", async () => {
    const { id } = await sandboxes.start();
    const { reg } = registry();
    const opening = reg.open({ id, tenantId: "ten_test" }, { cols: 80, rows: 24 });
    await reg.closeSession(id, "session paused");
    await expect(opening).rejects.toThrow("The terminal was closed as it opened: session paused");
    expect(reg.list()).toEqual([]);
    expect(inside(id)).not.toMatch(/bash|sh -i/);
    await reg.closeAll("test over");
  });
});
