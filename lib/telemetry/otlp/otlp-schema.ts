// The OTLP messages Burrow reads and writes, as a protobufjs descriptor. Field numbers and types
// follow the OpenTelemetry protocol definitions (github.com/open-telemetry/opentelemetry-proto,
// Apache-2.0: common/v1/common.proto, resource/v1/resource.proto, trace/v1/trace.proto,
// logs/v1/logs.proto, collector/{trace,logs}/v1/*_service.proto) and google.rpc.Status; only the
// messages needed here, written out by hand. Enums are read as plain int32 (same wire encoding),
// so an enum value this file does not know is kept rather than rejected. Fields a sender adds
// later are skipped by the decoder, as protobuf requires.
import protobuf from "protobufjs/light";

const f = (type: string, id: number, rule?: "repeated") => (rule ? { type, id, rule } : { type, id });
const keyValues = (id: number) => f("KeyValue", id, "repeated");

const descriptor = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"] } },
          fields: {
            stringValue: f("string", 1), boolValue: f("bool", 2), intValue: f("int64", 3), doubleValue: f("double", 4),
            arrayValue: f("ArrayValue", 5), kvlistValue: f("KeyValueList", 6), bytesValue: f("bytes", 7),
          },
        },
        ArrayValue: { fields: { values: f("AnyValue", 1, "repeated") } },
        KeyValueList: { fields: { values: keyValues(1) } },
        KeyValue: { fields: { key: f("string", 1), value: f("AnyValue", 2) } },
        InstrumentationScope: { fields: { name: f("string", 1), version: f("string", 2), attributes: keyValues(3), droppedAttributesCount: f("uint32", 4) } },
        Resource: { fields: { attributes: keyValues(1), droppedAttributesCount: f("uint32", 2) } },

        ExportTraceServiceRequest: { fields: { resourceSpans: f("ResourceSpans", 1, "repeated") } },
        ResourceSpans: { fields: { resource: f("Resource", 1), scopeSpans: f("ScopeSpans", 2, "repeated"), schemaUrl: f("string", 3) } },
        ScopeSpans: { fields: { scope: f("InstrumentationScope", 1), spans: f("Span", 2, "repeated"), schemaUrl: f("string", 3) } },
        Span: {
          fields: {
            traceId: f("bytes", 1), spanId: f("bytes", 2), traceState: f("string", 3), parentSpanId: f("bytes", 4), flags: f("fixed32", 16),
            name: f("string", 5), kind: f("int32", 6), startTimeUnixNano: f("fixed64", 7), endTimeUnixNano: f("fixed64", 8),
            attributes: keyValues(9), droppedAttributesCount: f("uint32", 10), events: f("SpanEvent", 11, "repeated"),
            droppedEventsCount: f("uint32", 12), links: f("SpanLink", 13, "repeated"), droppedLinksCount: f("uint32", 14), status: f("SpanStatus", 15),
          },
        },
        SpanEvent: { fields: { timeUnixNano: f("fixed64", 1), name: f("string", 2), attributes: keyValues(3), droppedAttributesCount: f("uint32", 4) } },
        SpanLink: {
          fields: {
            traceId: f("bytes", 1), spanId: f("bytes", 2), traceState: f("string", 3), attributes: keyValues(4),
            droppedAttributesCount: f("uint32", 5), flags: f("fixed32", 6),
          },
        },
        SpanStatus: { fields: { message: f("string", 2), code: f("int32", 3) } },
        ExportTraceServiceResponse: { fields: { partialSuccess: f("ExportTracePartialSuccess", 1) } },
        ExportTracePartialSuccess: { fields: { rejectedSpans: f("int64", 1), errorMessage: f("string", 2) } },

        ExportLogsServiceRequest: { fields: { resourceLogs: f("ResourceLogs", 1, "repeated") } },
        ResourceLogs: { fields: { resource: f("Resource", 1), scopeLogs: f("ScopeLogs", 2, "repeated"), schemaUrl: f("string", 3) } },
        ScopeLogs: { fields: { scope: f("InstrumentationScope", 1), logRecords: f("LogRecord", 2, "repeated"), schemaUrl: f("string", 3) } },
        LogRecord: {
          fields: {
            timeUnixNano: f("fixed64", 1), observedTimeUnixNano: f("fixed64", 11), severityNumber: f("int32", 2), severityText: f("string", 3),
            body: f("AnyValue", 5), attributes: keyValues(6), droppedAttributesCount: f("uint32", 7), flags: f("fixed32", 8),
            traceId: f("bytes", 9), spanId: f("bytes", 10), eventName: f("string", 12),
          },
        },
        ExportLogsServiceResponse: { fields: { partialSuccess: f("ExportLogsPartialSuccess", 1) } },
        ExportLogsPartialSuccess: { fields: { rejectedLogRecords: f("int64", 1), errorMessage: f("string", 2) } },

        /** google.rpc.Status, the body of OTLP/HTTP error answers (details are never sent). */
        RpcStatus: { fields: { code: f("int32", 1), message: f("string", 2) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export const otlpTypes = {
  traceRequest: root.lookupType("otlp.ExportTraceServiceRequest"),
  traceResponse: root.lookupType("otlp.ExportTraceServiceResponse"),
  logsRequest: root.lookupType("otlp.ExportLogsServiceRequest"),
  logsResponse: root.lookupType("otlp.ExportLogsServiceResponse"),
  rpcStatus: root.lookupType("otlp.RpcStatus"),
};
