// The runner's terminal registry wired to the database: open terminals count as session activity
// (idle policy), and terminals that end without their user closing them are audited as the system.
import { recordAuditEvent } from "../audit";
import { tenantDb } from "../db/tenant-scope";
import type { SandboxBackend } from "../sandbox";
import { touchSessionActivity } from "../sessions/record-transition";
import { TerminalRegistry } from "./terminal-registry";

export function createRunnerTerminals(backend: SandboxBackend): TerminalRegistry {
  return new TerminalRegistry({
    backend,
    touchActivity: (sessionId) => touchSessionActivity(sessionId),
    async onClosed(t, reason, byUser) {
      if (byUser) return; // the web app records who closed it
      await recordAuditEvent(
        { tenantId: t.tenantId, actor: { type: "system", id: null, label: "runner" }, ip: null, db: tenantDb(t.tenantId) },
        { action: "session.terminal_closed", targetType: "session", targetId: t.sessionId, metadata: { terminalId: t.id, reason } },
      );
    },
  });
}
