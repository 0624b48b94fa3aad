import { describe, expect, it } from "vitest";
import { isFoldedRequestSpan } from "./folded-requests";

const server = (attributes: Record<string, unknown>) => ({ source: "platform", kind: "server", attributes });

describe("folded request spans", () => {
  it("folds reads, OTLP exports and a terminal's keystrokes, resizes and output", () => {
    expect(isFoldedRequestSpan(server({ "http.method": "GET", "http.route": "/api/v1/sessions" }))).toBe(true);
    expect(isFoldedRequestSpan(server({ "http.method": "HEAD", "http.route": "/api/v1/sessions/{id}" }))).toBe(true);
    expect(isFoldedRequestSpan(server({ "http.method": "POST", "http.route": "/api/otlp/v1/traces" }))).toBe(true);
    expect(isFoldedRequestSpan(server({ "http.method": "POST", "http.route": "/api/v1/sessions/{id}/terminals/{terminalId}/input" }))).toBe(true);
    expect(isFoldedRequestSpan(server({ "http.method": "POST", "http.route": "/api/v1/sessions/{id}/terminals/{terminalId}/resize" }))).toBe(true);
    expect(isFoldedRequestSpan(server({ "http.method": "GET", "http.route": "/api/v1/sessions/{id}/terminals/{terminalId}/output" }))).toBe(true);
  });

  it("keeps writes, opening and closing a terminal, the runner's exec, and spans agents send", () => {
    expect(isFoldedRequestSpan(server({ "http.method": "POST", "http.route": "/api/v1/sessions/{id}/exec" }))).toBe(false);
    expect(isFoldedRequestSpan(server({ "http.method": "POST", "http.route": "/api/v1/sessions/{id}/terminals" }))).toBe(false);
    expect(isFoldedRequestSpan(server({ "http.method": "DELETE", "http.route": "/api/v1/sessions/{id}/terminals/{terminalId}" }))).toBe(false);
    expect(isFoldedRequestSpan(server({ "http.method": "POST" }))).toBe(false);
    expect(isFoldedRequestSpan({ source: "platform", kind: "internal", attributes: { "http.method": "GET" } })).toBe(false);
    expect(isFoldedRequestSpan({ source: "otlp", kind: "server", attributes: { "http.method": "GET" } })).toBe(false);
  });
});
