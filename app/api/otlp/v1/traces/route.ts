import { endpoints } from "@/lib/api/endpoints";
import { otlpRoute } from "@/lib/telemetry/otlp/otlp-route";

export const POST = otlpRoute(endpoints.exportOtlpTraces, "traces");
