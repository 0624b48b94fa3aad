// The route handler behind POST /api/otlp/v1/traces and /api/otlp/v1/logs: API key (or console
// cookie) with telemetry:write, or a session's telemetry token; then content type (415), body
// limits (413), decoding (400), and the signal's ingest. Not rate-limited per key like /api/v1: the body limit bounds each request.
import type { Endpoint } from "../../api/endpoint";
import { clientIp } from "../../api/client-ip";
import { newId } from "../../ids";
import { describeCaller, tracedRoute } from "../trace-request";
import { ingestOtlpLogs, ingestOtlpTraces } from "./ingest-otlp";
import { otlpCaller } from "./otlp-caller";
import { otlpError, otlpSuccess } from "./otlp-response";
import { decodeOtlp, type OtlpEncoding, otlpEncodingOf, type OtlpSignal, readOtlpBody } from "./read-otlp-body";

export function otlpRoute(endpoint: Endpoint, signal: OtlpSignal) {
  return tracedRoute(endpoint, async (req, _route, span) => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
    const headers = new Headers({ "x-request-id": requestId, "cache-control": "no-store" });
    let encoding: OtlpEncoding | null = null;
    try {
      const { ctx, boundSessionId } = await otlpCaller(req, { ip: clientIp(req), requestId });
      describeCaller(span, ctx);
      // Not joined to the bound session: an agent exporting every few seconds would fill its timeline.
      span.setAttribute("otlp.bound_session", boundSessionId);
      encoding = otlpEncodingOf(req);
      const message = decodeOtlp(signal, await readOtlpBody(req), encoding);
      const input = { ctx, input: message, boundSessionId };
      const result = signal === "traces" ? await ingestOtlpTraces(input) : await ingestOtlpLogs(input);
      span.setAttribute("otlp.accepted", result.accepted).setAttribute("otlp.rejected", result.rejected);
      return otlpSuccess(signal, encoding, result, headers);
    } catch (err) {
      return otlpError(err, encoding ?? encodingGuess(req), requestId, headers);
    }
  });
}

/** Errors before the content type was checked (401, 403) answer in the encoding the caller sent, if known. */
function encodingGuess(req: Request): OtlpEncoding | null {
  try {
    return otlpEncodingOf(req);
  } catch {
    return null;
  }
}
