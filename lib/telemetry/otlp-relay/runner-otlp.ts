// Everything a runner does so that a session's processes can export OTLP: the OTEL_* variables in
// every sandbox's env, the forwarder on a unix socket under DATA_DIR, and a relay inside each
// running sandbox's network namespace (started before the session is reported running, so the
// first export already finds it; kept in line with the live sessions every second). One relay
// daemon serves all of the runner's sandboxes.
import { tmpdir } from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import { createHash } from "node:crypto";
import { env } from "../../env";
import { sessionOtelEnv } from "../session-token";
import { startOtlpForwarder } from "./otlp-forwarder";
import { SandboxOtlpRelays } from "./sandbox-relays";

const SYNC_EVERY_MS = 1000;

export type RunnerOtlp = {
  sandboxEnv: (session: { id: string }) => Record<string, string>;
  /** Call when a sandbox has just been created: resolves when its relay listens (or could not start). */
  sandboxStarted: (sessionId: string) => Promise<void>;
  close: () => Promise<void>;
};

/** Where the forwarder sends: OTLP_FORWARD_URL, else PUBLIC_URL, else the web app on this host. */
export function otlpForwardUrl(): string {
  if (env.OTLP_FORWARD_URL) return env.OTLP_FORWARD_URL;
  if (env.PUBLIC_URL) return env.PUBLIC_URL;
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  return `http://${host}:${env.PORT}`;
}

/** A unix socket path must fit in 108 bytes; a long DATA_DIR gets one under the temp dir instead. */
function socketPathFor(dataDir: string): string {
  const preferred = path.resolve(dataDir, "otlp-relay.sock");
  if (Buffer.byteLength(preferred) < 100) return preferred;
  return path.join(tmpdir(), `burrow-otlp-${createHash("sha256").update(preferred).digest("hex").slice(0, 12)}.sock`);
}

export async function startRunnerOtlp(opts: {
  dataDir: string;
  forwardUrl: string;
  rootOf: (sessionId: string) => string;
  liveSessions: () => Promise<{ id: string; state: string }[]>;
  log: (m: string) => void;
}): Promise<RunnerOtlp> {
  const socketPath = socketPathFor(opts.dataDir);
  let forwarder: Server | null = null;
  try {
    forwarder = await startOtlpForwarder({ socketPath, forwardUrl: opts.forwardUrl, log: opts.log });
  } catch (err) {
    opts.log(`OTLP relay disabled: cannot listen on ${socketPath}: ${(err as Error).message}`);
  }
  const relays = new SandboxOtlpRelays({ socketPath, rootOf: opts.rootOf, log: opts.log });
  const sync = async () => {
    if (!forwarder) return;
    const live = (await opts.liveSessions()).filter((s) => s.state === "running" || s.state === "paused");
    await relays.sync(live.map((s) => s.id));
  };
  const timer = setInterval(() => void sync().catch((e) => opts.log(`OTLP relays: ${(e as Error).message}`)), SYNC_EVERY_MS);
  timer.unref();
  return {
    sandboxEnv: (session) => sessionOtelEnv(session.id),
    sandboxStarted: async (sessionId) => {
      if (forwarder && !(await relays.ensure(sessionId))) opts.log(`OTLP relay for ${sessionId} did not start; it is retried every second`);
    },
    close: async () => {
      clearInterval(timer);
      relays.close();
      await new Promise<void>((resolve) => (forwarder ? forwarder.close(() => resolve()) : resolve()));
    },
  };
}
