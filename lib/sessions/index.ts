export { createSession } from "./create-session";
export { getSession, listSessions, listSessionEvents } from "./read-sessions";
export { changeDesiredState } from "./change-desired-state";
export { followSession } from "./follow-session";
export { startExec, execAndWait } from "./exec-in-session";
export { readSessionFile, writeSessionFile, SNAPSHOT_ID_HEADER } from "./session-files";
export { MAX_FILE_BYTES } from "./schemas";
export * from "./schemas";
