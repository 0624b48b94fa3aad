export { readSessionMetrics } from "./read-session-metrics";
export { readConcurrency } from "./read-concurrency";
export * from "./schemas";
