export { createSession } from "./create-session";
export { getSession, listSessionEvents } from "./read-sessions";
export { listSessions } from "./list-sessions";
export { changeDesiredState } from "./change-desired-state";
export { followSession } from "./follow-session";
export { startExec, execAndWait } from "./exec-in-session";
export { readSessionFile, writeSessionFile, SNAPSHOT_ID_HEADER } from "./session-files";
export { MAX_FILE_BYTES } from "./schemas";
export * from "./schemas";
