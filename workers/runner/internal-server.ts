// The runner's internal HTTP API, called only by the web app with the shared secret: exec (NDJSON
// stream of output then the exit), files, snapshot-now for forks, and the sandbox's listening ports.
import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import { DEFAULT_MAX_OUTPUT_BYTES, type SandboxBackend } from "../../lib/sandbox";
import { newId } from "../../lib/ids";
import { statementsSent } from "../../lib/db/client";
import { captureExecLogs } from "../../lib/logs/exec-log-capture";
import type { LogBatcher } from "../../lib/logs/log-batcher";
import { applySessionLogLimits } from "../../lib/logs/session-log-limits";
import { runnerSecret, RUNNER_SECRET_HEADER } from "../../lib/runners/runner-client";
import { touchSessionActivity } from "../../lib/sessions/record-transition";
import { runningSessionOnRunner } from "../../lib/runners/runner-sessions";
import { recordExecEnded, recordExecStarted } from "../../lib/sessions/interrupted-execs";
import { snapshotSessionFiles } from "../../lib/snapshots/session-files";
import { activeSpan } from "../../lib/telemetry/platform-span";
import { SANDBOX_OTLP_PORT } from "../../lib/telemetry/session-token";
import { traceRunnerRequest } from "../../lib/telemetry/runner-request-span";
import { handleTerminalRequest, matchTerminalRoute } from "../../lib/terminal/runner-routes";
import type { TerminalRegistry } from "../../lib/terminal/terminal-registry";

const ACTIVITY_EVERY_MS = 10_000;

// SandboxError codes (lib/sandbox) as HTTP statuses the web app maps back to API errors.
const STATUS_BY_SANDBOX_CODE: Record<string, number> = {
  invalid_path: 400, invalid_argument: 400, not_found: 404, not_running: 409, conflict: 409, too_large: 413, runtime_missing: 503,
};
const API_CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_request", 404: "not_found", 409: "conflict", 413: "payload_too_large", 503: "unavailable",
};
const MAX_FILE_BYTES = 100 * 1024 * 1024;

type Route = (req: http.IncomingMessage, res: http.ServerResponse, sessionId: string, url: URL) => Promise<void>;

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string) {
  if (res.headersSent) {
    res.end(JSON.stringify({ type: "error", code, message }) + "\n");
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error(`body larger than ${limit} bytes`), { status: 413, code: "payload_too_large" });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `runnerId` is read per request: the server listens before the runner registers its address. */
export function startInternalServer(opts: {
  backend: SandboxBackend; runnerId: () => string; port: number; host?: string; logs: LogBatcher; terminals?: TerminalRegistry;
  /** Where execs in flight are kept on file, so a restart can close the ones a crash cut off. */
  execsInFlightDir: string;
}): Promise<http.Server> {
  const { backend } = opts;
  const secret = Buffer.from(runnerSecret());

  const exec = async (req: http.IncomingMessage, res: http.ServerResponse, session: { id: string; tenantId: string }) => {
    const sessionId = session.id;
    const input = JSON.parse((await readBody(req, 12 * 1024 * 1024)).toString("utf8"));
    await touchSessionActivity(sessionId);
    // A running exec is activity: keep the idle clock from pausing the session under it.
    const keepAlive = setInterval(() => void touchSessionActivity(sessionId).catch(() => {}), ACTIVITY_EVERY_MS);
    // Every exec's output goes to the session's log, whether or not the caller streams it.
    const execId = newId("exe");
    const target = { tenantId: session.tenantId, sessionId };
    await applySessionLogLimits(opts.logs, [target]);
    const logs = captureExecLogs(opts.logs, target, { execId, command: input.command });
    const sent = { stdout: 0, stderr: 0 };
    const forward = (stream: "stdout" | "stderr", chunk: Buffer) => {
      const part = chunk.subarray(0, Math.max(0, DEFAULT_MAX_OUTPUT_BYTES - sent[stream]));
      sent[stream] += part.length;
      if (part.length > 0) res.write(JSON.stringify({ type: "output", stream, data: part.toString("utf8") }) + "\n");
    };
    await recordExecStarted(opts.execsInFlightDir, {
      execId, tenantId: session.tenantId, sessionId, command: input.command, startedAt: new Date().toISOString(), actor: input.audit?.actor, ip: input.audit?.ip,
    });
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    // The web app's caller went away (its request to us is cut): the exec has no one to answer, so
    // its process tree is killed rather than left running to its timeout.
    const callerGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) callerGone.abort();
    });
    // First line at once: the caller learns the exec id (for its audit row) even if it leaves early.
    res.write(JSON.stringify({ type: "start", execId }) + "\n");
    try {
      const { cancelled, ...result } = await backend.exec(sessionId, {
        command: input.command, cwd: input.cwd, env: input.env, timeoutMs: input.timeoutMs, stdin: input.stdin, signal: callerGone.signal,
      }, (stream, chunk) => {
        if (input.stream) forward(stream, chunk);
        return logs.onOutput(stream, chunk);
      });
      logs.finish({ ...result, cancelled });
      activeSpan()?.setAttribute("exec.id", execId).setAttribute("process.exit_code", result.exitCode).setAttribute("exec.timed_out", result.timedOut);
      res.end(JSON.stringify({ type: "exit", execId, ...result }) + "\n");
    } catch (err) {
      if ((err as { code?: string }).code !== "invalid_argument") logs.fail((err as Error).message);
      throw err;
    } finally {
      await recordExecEnded(opts.execsInFlightDir, execId).catch(() => {});
      clearInterval(keepAlive);
      await touchSessionActivity(sessionId).catch(() => {});
    }
  };

  const files: Route = async (req, res, sessionId, url) => {
    const filePath = url.searchParams.get("path") ?? "";
    await touchSessionActivity(sessionId);
    if (req.method === "GET") {
      const data = await backend.readFile(sessionId, filePath, MAX_FILE_BYTES);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": data.length });
      res.end(data);
    } else {
      const data = await readBody(req, MAX_FILE_BYTES);
      await backend.writeFile(sessionId, filePath, data, MAX_FILE_BYTES);
      sendJson(res, 200, { path: filePath, size: data.length });
    }
  };

  const snapshot: Route = async (_req, res, sessionId) => {
    const session = await runningSessionOnRunner(sessionId, opts.runnerId());
    const wasRunning = session.state === "running";
    if (wasRunning) await backend.pause(sessionId);
    try {
      const row = await snapshotSessionFiles(session, backend.paths(sessionId), "manual");
      sendJson(res, 200, { id: row.id });
    } finally {
      if (wasRunning) await backend.resume(sessionId);
    }
  };

  // Read from /proc, nothing run inside: a paused sandbox answers too, and stays paused.
  const ports: Route = async (_req, res, sessionId) => {
    if (!backend.listeningPorts) return sendError(res, 404, "not_found", "this backend cannot list ports");
    // The platform's own OTLP relay (127.0.0.1:4318 in every sandbox) is not the session's.
    const own = (p: { port: number; address: string }) => p.port === SANDBOX_OTLP_PORT && p.address === "127.0.0.1";
    sendJson(res, 200, { data: (await backend.listeningPorts(sessionId)).filter((p) => !own(p)) });
  };

  const server = http.createServer(async (req, res) => {
    try {
      const given = Buffer.from(String(req.headers[RUNNER_SECRET_HEADER] ?? ""));
      if (given.length !== secret.length || !timingSafeEqual(given, secret)) return sendError(res, 401, "unauthorized", "bad runner secret");
      const url = new URL(req.url ?? "/", "http://runner");
      // What this runner cost the database so far (the idle-cost bench and test read it twice).
      if (url.pathname === "/internal/stats" && req.method === "GET") return sendJson(res, 200, { statements: statementsSent() });
      const terminalRoute = opts.terminals ? matchTerminalRoute(url.pathname) : null;
      if (terminalRoute) return await handleTerminalRequest(req, res, url, terminalRoute, { terminals: opts.terminals!, runnerId: opts.runnerId() });
      const match = /^\/internal\/sessions\/([a-z]{3}_[0-9A-Z]{26})\/(exec|files|snapshot|ports)$/.exec(url.pathname);
      if (!match) return sendError(res, 404, "not_found", "no such route");
      const [, sessionId, action] = match;
      if (action === "ports" && req.method === "GET") {
        await runningSessionOnRunner(sessionId, opts.runnerId(), ["running", "paused"]);
        return await ports(req, res, sessionId, url);
      }
      const session = action === "snapshot" ? null : await runningSessionOnRunner(sessionId, opts.runnerId(), ["running"]);
      const traced = (fn: () => Promise<void>) => traceRunnerRequest(req, { action, sessionId, tenantId: session?.tenantId ?? null }, fn);
      if (action === "exec" && req.method === "POST") return await traced(() => exec(req, res, session!));
      if (action === "files" && (req.method === "GET" || req.method === "PUT")) return await traced(() => files(req, res, sessionId, url));
      if (action === "snapshot" && req.method === "POST") return await traced(() => snapshot(req, res, sessionId, url));
      sendError(res, 405, "invalid_request", "method not allowed");
    } catch (err) {
      const e = err as { status?: number; code?: string; message?: string };
      const status = e.status ?? STATUS_BY_SANDBOX_CODE[e.code ?? ""] ?? 500;
      const code = API_CODE_BY_STATUS[status] ?? "internal";
      if (status === 500) console.error("[runner] internal call failed:", err);
      sendError(res, status, code, e.message ?? "failed");
    }
  });
  return new Promise((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve(server)));
}
