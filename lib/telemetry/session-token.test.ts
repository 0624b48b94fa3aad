import { describe, expect, it } from "vitest";
import { sessionOfTelemetryToken, sessionOtelEnv, sessionTelemetryToken } from "./session-token";

const ID = "ses_01M842J9344ZWR90C2SM5CNRBM";

describe("session telemetry tokens", () => {
  it("verify for their own session only", () => {
    const token = sessionTelemetryToken(ID);
    expect(token).toMatch(/^burt_ses_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(sessionOfTelemetryToken(token)).toBe(ID);
    const other = "ses_01M842J9344ZWR90C2SM5CNRBN";
    expect(sessionOfTelemetryToken(token.replace(ID, other))).toBeNull();
    expect(sessionOfTelemetryToken(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBeNull();
    expect(sessionOfTelemetryToken("bur_" + "x".repeat(43))).toBeNull();
  });

  it("go into the OTel variables, percent-encoded", () => {
    const env = sessionOtelEnv(ID);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://127.0.0.1:4318/api/otlp");
    expect(decodeURIComponent(env.OTEL_EXPORTER_OTLP_HEADERS)).toBe(`Authorization=Bearer ${sessionTelemetryToken(ID)}`);
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(`session.id=${ID}`);
  });
});
