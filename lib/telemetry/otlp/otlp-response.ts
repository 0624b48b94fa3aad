// OTLP/HTTP answers, in the encoding of the request. Success is 200 with an Export…ServiceResponse
// whose partial_success says how many items were rejected and why (absent when none were). Errors
// carry a google.rpc.Status (protobuf or JSON); the JSON form also holds Burrow's usual
// {"error": {code, message, details}, "requestId"}, so both kinds of client can read it.
import { AppError, databaseErrorAsAppError } from "../../api/errors";
import type { IngestResult } from "./ingest-otlp";
import { otlpTypes } from "./otlp-schema";
import type { OtlpEncoding, OtlpSignal } from "./read-otlp-body";

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/** gRPC status codes for the HTTP statuses we answer. */
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

export function otlpSuccess(signal: OtlpSignal, encoding: OtlpEncoding, result: IngestResult, headers: Headers): Response {
  const partial = result.rejected > 0
    ? signal === "traces"
      ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage }
      : { rejectedLogRecords: result.rejected, errorMessage: result.errorMessage }
    : null;
  if (encoding === "json") {
    headers.set("content-type", JSON_TYPE);
    return new Response(JSON.stringify(partial ? { partialSuccess: partial } : {}), { status: 200, headers });
  }
  const type = signal === "traces" ? otlpTypes.traceResponse : otlpTypes.logsResponse;
  headers.set("content-type", PROTOBUF);
  const body = type.encode(type.fromObject(partial ? { partialSuccess: partial } : {})).finish();
  return new Response(Buffer.from(body), { status: 200, headers });
}

export function otlpError(err: unknown, encoding: OtlpEncoding | null, requestId: string, headers: Headers): Response {
  let error = err instanceof AppError ? err : databaseErrorAsAppError(err);
  if (!error) {
    console.error(`[${requestId}] OTLP export failed`, err);
    error = new AppError("internal", "Something went wrong on our side; the request id identifies it");
  }
  for (const [k, v] of Object.entries(error.headers ?? {})) headers.set(k, v);
  const code = GRPC_CODE[error.status] ?? 2;
  if (encoding === "protobuf") {
    headers.set("content-type", PROTOBUF);
    const body = otlpTypes.rpcStatus.encode(otlpTypes.rpcStatus.fromObject({ code, message: error.message })).finish();
    return new Response(Buffer.from(body), { status: error.status, headers });
  }
  headers.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify({
    code, message: error.message,
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    requestId,
  }), { status: error.status, headers });
}
