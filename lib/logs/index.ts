export { appendSessionLogs, LOG_CHANNEL, type LogNotice, type LogStream, type NewLogLine } from "./append-session-logs";
export { readSessionLogs } from "./read-session-logs";
export { followSessionLogs } from "./follow-session-logs";
export { downloadSessionLogs } from "./download-session-logs";
export { logFanout } from "./log-fanout";
export * from "./schemas";
