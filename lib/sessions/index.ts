export { createSession } from "./create-session";
export { getSession, listSessions, listSessionEvents } from "./read-sessions";
export { changeDesiredState } from "./change-desired-state";
export { startExec, execAndWait } from "./exec-in-session";
export { readSessionFile, writeSessionFile, MAX_FILE_BYTES, SNAPSHOT_ID_HEADER } from "./session-files";
export * from "./schemas";
