export { getTrace, listSessionSpans, listTraces } from "./read-traces";
export * from "./schemas";
