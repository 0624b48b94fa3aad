// The runner's side of a web → runner call (exec, files, snapshot): a server span that continues
// the `traceparent` the web app sent (lib/runners/runner-client.ts adds the active span's), so an
// exec shows up inside the API request that ran it.
import type { IncomingMessage } from "node:http";
import { db } from "../db/client";
import { withSpan } from "./platform-span";
import { parseTraceparent } from "./traceparent";

export async function traceRunnerRequest<T>(
  req: IncomingMessage,
  call: { action: string; sessionId: string; tenantId: string | null },
  fn: () => Promise<T>,
): Promise<T> {
  const tenantId = call.tenantId ?? (await db().session.findUnique({ where: { id: call.sessionId }, select: { tenantId: true } }).catch(() => null))?.tenantId ?? null;
  const header = req.headers.traceparent;
  return withSpan(`session.${call.action}`, {
    tenantId, sessionId: call.sessionId, kind: "server", parent: parseTraceparent(Array.isArray(header) ? header[0] : header),
    attributes: { "http.method": req.method },
  }, () => fn());
}
