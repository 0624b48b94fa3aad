// The credential a session's own processes use for OTLP: `burt_<session id>_<HMAC>`, derived from
// the runner secret the web app and the runners share. Nothing is stored: the runner derives it
// again at every start and wake (it cannot live in the session's env, which the API shows), and the
// OTLP endpoint recomputes it. It can only write telemetry, only for its own session, and stops
// working when the session is terminated or fails (checked on every request).
import { createHmac, timingSafeEqual } from "node:crypto";
import { runnerSecret } from "../runners/runner-client";

const TOKEN = /^burt_(ses_[0-9A-Z]{26})_([A-Za-z0-9_-]{43})$/;

function signature(sessionId: string): string {
  const key = createHmac("sha256", runnerSecret()).update("burrow session telemetry token v1").digest();
  return createHmac("sha256", key).update(sessionId).digest("base64url");
}

export function sessionTelemetryToken(sessionId: string): string {
  return `burt_${sessionId}_${signature(sessionId)}`;
}

/** The session a well-formed, correctly signed token belongs to; null otherwise. */
export function sessionOfTelemetryToken(token: string): string | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const expected = Buffer.from(signature(match[1]));
  const given = Buffer.from(match[2]);
  return given.length === expected.length && timingSafeEqual(given, expected) ? match[1] : null;
}

/** Port of the OTLP relay on the sandbox's loopback (the OTLP/HTTP default). */
export const SANDBOX_OTLP_PORT = 4318;

/** What a session's processes find in their environment: a standard OTel SDK exports to Burrow unconfigured. */
export function sessionOtelEnv(sessionId: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${SANDBOX_OTLP_PORT}/api/otlp`,
    // Percent-encoded, as the variable's W3C-baggage-like format asks (SDKs decode it).
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${sessionTelemetryToken(sessionId)}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_RESOURCE_ATTRIBUTES: `session.id=${sessionId}`,
  };
}
