// lib/terminal — interactive shells in sessions (the web terminal). The runner holds the terminals
// (terminal-registry.ts, runner-routes.ts); the web app only checks tenancy and forwards
// (session-terminals.ts), streaming output to browsers as server-sent events.
export { closeTerminal, openTerminal, resizeTerminal, sendTerminalInput, streamTerminalOutput } from "./session-terminals";
export * from "./schemas";
