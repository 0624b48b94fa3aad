// GET /sessions/{id}/ports and PUT /sessions/{id}/ports/{port}: what listens in the sandbox (asked
// of its runner, which reads the sandbox's /proc/net/tcp{,6}), and which ports need no token.
import type { TenantContext } from "../auth/context";
import { AppError } from "../api/errors";
import { recordAuditEvent } from "../audit";
import { inTransaction } from "../db/tenant-scope";
import { previewSettings } from "../env";
import type { ListeningPort } from "../network/listening-ports";
import { callRunner } from "../runners/runner-client";
import { getRunner } from "../runners/runner-registry";
import { getSessionRowOrThrow } from "../sessions/read-sessions";
import { notifySessionChanged } from "../sessions/session-notice";
import { previewUrlOf } from "./preview-host";
import { portParamSchema } from "./schemas";

/** The port path parameter, or a 400 naming it. */
export function parsePortParam(value: string): number {
  const parsed = portParamSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("invalid_request", "Invalid params: params.port: a TCP port, 1 to 65535", { details: { fields: [{ path: "params.port", message: "a TCP port, 1 to 65535" }] } });
  }
  return parsed.data;
}

/** Never wakes the session: a paused sandbox is read from /proc as it is; a sleeping one has nothing listening. */
export async function listSessionPorts({ ctx, input }: { ctx: TenantContext; input: { id: string } }) {
  const session = await getSessionRowOrThrow(ctx.db, input.id);
  let listening: ListeningPort[] = [];
  if ((session.state === "running" || session.state === "paused") && session.runnerId) {
    const runner = await getRunner(session.runnerId);
    if (!runner) throw new AppError("unavailable", "The session's runner is gone; retry", { headers: { "Retry-After": "5" } });
    const res = await callRunner(runner.address, `/internal/sessions/${session.id}/ports`, { method: "GET", timeoutMs: 10_000 });
    listening = ((await res.json()) as { data: ListeningPort[] }).data;
  }
  const settings = previewSettings();
  const byPort = new Map<number, { port: number; address: string | null; listening: boolean; reachable: boolean; public: boolean; url: string }>();
  for (const p of listening) {
    const seen = byPort.get(p.port);
    // One entry per port: reachable if any of its sockets is.
    if (seen) {
      if (p.reachable && !seen.reachable) Object.assign(seen, { address: p.address, reachable: true });
      continue;
    }
    byPort.set(p.port, { port: p.port, address: p.address, listening: true, reachable: p.reachable, public: session.publicPorts.includes(p.port), url: previewUrlOf(settings, session.id, p.port) });
  }
  for (const port of session.publicPorts) {
    if (!byPort.has(port)) byPort.set(port, { port, address: null, listening: false, reachable: false, public: true, url: previewUrlOf(settings, session.id, port) });
  }
  return { data: [...byPort.values()].sort((a, b) => a.port - b.port), state: session.state };
}

export async function setPortVisibility({ ctx, input }: { ctx: TenantContext; input: { id: string; port: number; public: boolean } }) {
  return inTransaction(ctx.db, async (tx) => {
    const session = await getSessionRowOrThrow(tx, input.id);
    if (session.state === "terminated" || session.state === "failed" || session.desiredState === "terminated") {
      throw new AppError("conflict", `The session is ${session.state}`, { details: { state: session.state } });
    }
    const was = session.publicPorts.includes(input.port);
    if (was !== input.public) {
      const publicPorts = input.public ? [...session.publicPorts, input.port].sort((a, b) => a - b) : session.publicPorts.filter((p) => p !== input.port);
      await tx.session.update({ where: { id: session.id }, data: { publicPorts } });
      // Preview proxies drop their cached copy of the session on commit: a port made private is refused at once.
      await notifySessionChanged(tx, ctx.tenantId, session.id);
      await recordAuditEvent({ ...ctx, db: tx }, {
        action: "session.port_visibility_changed", targetType: "session", targetId: session.id, metadata: { port: input.port, public: input.public },
      });
    }
    return { port: input.port, public: input.public, url: previewUrlOf(previewSettings(), session.id, input.port) };
  });
}
