// The runner's internal terminal routes (called by the web app with the runner secret):
//   POST   /internal/sessions/{id}/terminals                 {cols, rows} → 201 {id, cols, rows, …}
//   GET    /internal/sessions/{id}/terminals/{tid}/output?after=N  NDJSON TerminalEvents until `closed`
//   POST   /internal/sessions/{id}/terminals/{tid}/input     raw bytes → 204
//   POST   /internal/sessions/{id}/terminals/{tid}/resize    {cols, rows} → 204
//   DELETE /internal/sessions/{id}/terminals/{tid}           → 200 {id, reason}
import type http from "node:http";
import { runningSessionOnRunner } from "../runners/runner-sessions";
import { MAX_INPUT_BYTES, terminalSizeSchema } from "./schemas";
import { TerminalError, type TerminalEvent, type TerminalRegistry } from "./terminal-registry";

const ROUTE = /^\/internal\/sessions\/([a-z]{3}_[0-9A-Z]{26})\/terminals(?:\/(trm_[0-9A-Z]{26})(?:\/(output|input|resize))?)?$/;

export type TerminalRoute = { sessionId: string; terminalId?: string; action?: "output" | "input" | "resize" };

export function matchTerminalRoute(pathname: string): TerminalRoute | null {
  const m = ROUTE.exec(pathname);
  return m ? { sessionId: m[1], terminalId: m[2], action: m[3] as TerminalRoute["action"] } : null;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TerminalError(413, "payload_too_large", `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readSize(req: http.IncomingMessage) {
  const parsed = terminalSizeSchema.safeParse(JSON.parse((await readBody(req, 4096)).toString("utf8") || "{}"));
  if (!parsed.success) throw new TerminalError(400, "invalid_request", "cols and rows must be integers from 1 to 1000");
  return parsed.data;
}

function sendJson(res: http.ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Handles one terminal route; errors are thrown with `status` for the internal server to answer. */
export async function handleTerminalRequest(
  req: http.IncomingMessage, res: http.ServerResponse, url: URL, route: TerminalRoute, deps: { terminals: TerminalRegistry; runnerId: string },
): Promise<void> {
  const { terminals } = deps;
  const { sessionId, terminalId, action } = route;
  const method = req.method ?? "GET";
  if (!terminalId && method === "POST") {
    const session = await runningSessionOnRunner(sessionId, deps.runnerId, ["running"]);
    // About to pause (or stop): a terminal opened now would only be closed, or frozen, at once.
    if (session.desiredState !== "running") throw new TerminalError(409, "conflict", `The session is being ${session.desiredState === "terminated" ? "terminated" : session.desiredState}`);
    const size = await readSize(req);
    return sendJson(res, 201, await terminals.open(session, size));
  }
  if (terminalId && !action && method === "DELETE") return sendJson(res, 200, { id: terminalId, ...(await terminals.close(sessionId, terminalId, "closed by its user", true)) });
  if (terminalId && action === "input" && method === "POST") {
    terminals.get(sessionId, terminalId); // 404 before reading a body for nothing
    terminals.write(sessionId, terminalId, await readBody(req, MAX_INPUT_BYTES));
    return sendJson(res, 204);
  }
  if (terminalId && action === "resize" && method === "POST") {
    const { cols, rows } = await readSize(req);
    terminals.resize(sessionId, terminalId, cols, rows);
    return sendJson(res, 204);
  }
  if (terminalId && action === "output" && method === "GET") return streamOutput(res, url, terminals, sessionId, terminalId);
  throw new TerminalError(405, "invalid_request", "method not allowed");
}

function streamOutput(res: http.ServerResponse, url: URL, terminals: TerminalRegistry, sessionId: string, terminalId: string) {
  const after = Number(url.searchParams.get("after") ?? "0");
  terminals.get(sessionId, terminalId);
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
  res.flushHeaders();
  let ended = false;
  const viewer = {
    send: (event: TerminalEvent) => (ended ? true : res.write(JSON.stringify(event) + "\n")),
    end: () => {
      if (ended) return;
      ended = true;
      res.end();
    },
  };
  const { detach, drained } = terminals.attach(sessionId, terminalId, Number.isFinite(after) ? after : 0, viewer);
  res.on("drain", drained);
  // The web app went away (its viewer closed the page): detach, the terminal stays open.
  res.on("close", () => {
    ended = true;
    detach();
  });
}
