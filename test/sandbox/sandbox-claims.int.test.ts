// Warm-pool claims in the runc backend (lib/sandbox/sandbox-claims.ts): a sandbox started under a
// pooled id serves a session id once claimed: execs and terminals get the claim's env, list()
// names it by the session, destroy() removes the pooled container and files, and a new backend on
// the same state dir (a restarted runner) keeps the claim.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRuncBackend } from "../../lib/sandbox";
import { newSandboxId, RUNTIME, sh, useSandboxes } from "./sandbox-harness";

const sandboxes = useSandboxes();

describe("claims of pooled sandboxes", () => {
  it("serve the session id with its env in execs and terminals, list as it, and go with it", async () => {
    const pooled = `pol_T${randomBytes(8).toString("hex").toUpperCase()}`;
    await sandboxes.start({ id: pooled });
    const backend = sandboxes.backend;
    const session = newSandboxId();
    await backend.claimPooled!(pooled, session, { GREETING: "claimed", PATH: "/usr/bin:/bin" });
    expect(backend.isClaimed!(session)).toBe(true);
    expect((await sh(backend, session, "echo $GREETING")).stdout).toBe("claimed\n");
    // The request's own env wins over the claim's.
    expect((await backend.exec(session, { command: ["printenv", "GREETING"], env: { GREETING: "mine" } })).stdout).toBe("mine\n");
    expect((await backend.list()).map((c) => c.id)).toContain(session);
    expect((await backend.list()).map((c) => c.id)).not.toContain(pooled);
    expect(backend.paths(session).root).toBe(path.join(sandboxes.stateDir, pooled));

    // A terminal gets it too.
    let text = "";
    const exited = new Promise<number | null>((resolve) => {
      void backend.openTerminal!(session, { cols: 80, rows: 24, command: ["/bin/sh", "-c", "echo T-$GREETING"] }, {
        onOutput: (c) => void (text += c.toString("latin1")),
        onExit: (r) => resolve(r.exitCode),
      });
    });
    expect(await exited).toBe(0);
    expect(text).toContain("T-claimed");

    // A restarted runner's backend on the same state dir keeps the claim.
    const again = createRuncBackend({ stateDir: sandboxes.stateDir, runtimeBinary: RUNTIME });
    expect(again.isClaimed!(session)).toBe(true);
    expect((await sh(again, session, "echo $GREETING")).stdout).toBe("claimed\n");

    await backend.destroy(session);
    sandboxes.forget(pooled);
    expect(backend.isClaimed!(session)).toBe(false);
    expect(existsSync(path.join(sandboxes.stateDir, pooled))).toBe(false);
    expect((await backend.list()).map((c) => c.id)).not.toContain(pooled);
    expect((await backend.list()).map((c) => c.id)).not.toContain(session);
  }, 60_000);
});
