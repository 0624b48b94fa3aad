// The preview proxy: its own process (Next route handlers cannot upgrade WebSockets), started by
// `npm start` next to the web app. It serves {port}-{sessionId}.PREVIEW_DOMAIN on PREVIEW_PORT
// (default PORT + 1) and, with PREVIEW_SOCKET, on a unix socket too. It holds no state beyond
// second-long caches, so several can run behind one balancer (README "Ports and preview URLs").
import fs from "node:fs";
import type http from "node:http";
import { disconnectDb } from "../../lib/db/client";
import { closeSqlPool } from "../../lib/db/sql-pool";
import { previewSettings } from "../../lib/env";
import { stopWhenParentGone } from "../watch-parent";
import { createPreviewProxy } from "./proxy-server";

const log = (msg: string) => console.log(`[preview] ${msg}`);

const listen = (server: http.Server, target: number | string, host?: string) => new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  const done = () => {
    server.off("error", reject);
    resolve();
  };
  if (typeof target === "string") server.listen(target, done);
  else server.listen(target, host, done);
});

async function main() {
  const settings = previewSettings();
  const opts = { domain: settings.domain, scheme: settings.scheme, wakeTimeoutMs: settings.wakeTimeoutMs, log };
  const servers: http.Server[] = [];
  const tcp = createPreviewProxy(opts);
  try {
    await listen(tcp, settings.port, settings.host);
    servers.push(tcp);
  } catch (e) {
    // The default (PORT + 1) may be another program's: that must not stop the whole stack (npm start
    // stops everything when a child exits), so say so and serve no previews. A port that was set
    // explicitly and cannot be had is a configuration error: exit.
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || !settings.portIsDefault) throw e;
    log(`previews are off: port ${settings.port} (PORT + 1) is in use; set PREVIEW_PORT to a free port`);
  }
  if (settings.socket) {
    fs.rmSync(settings.socket, { force: true }); // left by a process that was killed
    const unix = createPreviewProxy(opts);
    await listen(unix, settings.socket);
    fs.chmodSync(settings.socket, 0o660);
    servers.push(unix);
  }
  const address = tcp.listening ? `${settings.host}:${(tcp.address() as { port: number }).port}` : null;
  log(`ready: ${settings.scheme}://{port}-{sessionId}.${settings.domain} on ${[address, settings.socket].filter(Boolean).join(" and ") || "nothing"}`);
  const keepAlive = servers.length ? null : setInterval(() => {}, 3_600_000); // stays up, idle, under npm start's supervision

  const stop = async () => {
    log("stopping");
    if (keepAlive) clearInterval(keepAlive);
    for (const s of servers) {
      s.close();
      s.closeAllConnections();
    }
    await disconnectDb().catch(() => {});
    await closeSqlPool().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  stopWhenParentGone(() => void stop(), log);
}

main().catch((err) => {
  console.error("[preview] failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
