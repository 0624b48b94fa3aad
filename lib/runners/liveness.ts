/** A runner heartbeats every few seconds; after this long without one it is declared lost. */
export const HEARTBEAT_INTERVAL_MS = 2_000;
export const HEARTBEAT_TIMEOUT_SECONDS = 15;
