// What the generated security suite (test/security.int.test.ts) cannot derive from the registry:
// a valid body or query for an endpoint with a path id where `{}` is not one (so a foreign id is
// refused by the lookup, not by validation), and which object kind each path parameter names.
// A new endpoint that needs an example, or a new kind of path parameter, fails the suite until
// it is added here.
import { newId } from "@/lib/ids";
import type { TenantObjects } from "./tenant-objects";

/** Endpoint id (key in lib/api/endpoints.ts) → a valid JSON body. */
export const EXAMPLE_BODIES: Record<string, unknown> = {
  updateMember: { role: "viewer" },
  updateApiKey: { spendLimitCents: 100 },
  execInSession: { command: ["true"] },
  terminalInput: { data: "x" },
  resizeTerminal: { cols: 80, rows: 24 },
  changeSessionNetwork: { egress: "deny", allowOut: ["example.com"], denyOut: [] },
  setPortVisibility: { public: true },
};

/** Endpoint id → a valid query. */
export const EXAMPLE_QUERIES: Record<string, Record<string, string>> = {
  readSessionFile: { path: "/etc/hostname" },
  writeSessionFile: { path: "/tmp/example" },
  importTemplate: { name: "tpl-import" },
};

/** Endpoint id → why its raw body's type and shape are not probed here. */
export const RAW_BODY_UNPROBED: Record<string, string> = {
  stripeWebhook: "answers 409 until STRIPE_WEBHOOK_SECRET is set, before reading the body; test/stripe-webhooks.int.test.ts checks signature and body",
};

/** GET endpoints not called for their success answer here (the others must answer as their schema says), with why. */
export const SUCCESS_UNPROBED: Record<string, string> = {
  readSessionFile: "reads from the sandbox: the suite's sessions sit on a runner nothing listens on",
  listSessionPorts: "asks the sandbox's runner: the suite's sessions sit on a runner nothing listens on (test/network/preview.int.test.ts reads it)",
  terminalOutput: "a stream of a live terminal, which needs a real sandbox",
  listMyTenants: "a signed-in-user route: the probes' caller is an API key",
  listConsoleSessions: "a signed-in-user route: the probes' caller is an API key (test/console-sessions.int.test.ts reads it with a cookie)",
};

/** Endpoint id → why a viewer may call this write (the others need a scope a viewer lacks). */
export const VIEWER_WRITES: Record<string, string> = {
  createApiKey: "a key holds at most its creator's scopes, so a viewer's key only reads (test/api-key-roles.int.test.ts)",
  revokeApiKey: "without the admin scope only a key the caller created, which only reads (test/api-key-roles.int.test.ts)",
};

/** Probes that fail for a defect another change of issue 8 fixes; remove the entry when it passes (the suite says so). */
export const KNOWN_DEFECTS: Record<string, string> = {};

type ObjectKind = keyof TenantObjects["ids"];
export type ParamKind = { kind: ObjectKind } | { wellFormed: () => string; why: string };

/** "<collection>/{param}" → what the parameter names. */
export const PARAM_KINDS: Record<string, ParamKind> = {
  "sessions/{id}": { kind: "session" },
  "snapshots/{id}": { kind: "snapshot" },
  "templates/{id}": { kind: "template" },
  "api-keys/{id}": { kind: "apiKey" },
  "members/{id}": { kind: "membership" },
  "invitations/{id}": { kind: "invitation" },
  "traces/{traceId}": { kind: "trace" },
  "console-sessions/{id}": {
    wellFormed: () => newId("cse"),
    why: "a person's, not a tenant's: no tenant B to probe; test/console-sessions.int.test.ts checks that another user's id is not found",
  },
  "ports/{port}": {
    wellFormed: () => "8080",
    why: "a TCP port number, not an object: the session id in the same path is what the tenant check refuses",
  },
  "terminals/{terminalId}": {
    wellFormed: () => newId("trm"),
    why: "a terminal lives in its runner's memory, not in a table, and needs a real sandbox; the session id in the same path is what the tenant check refuses",
  },
};

export function paramKey(path: string, param: string): string {
  const segments = path.split("/");
  const at = segments.indexOf(`{${param}}`);
  return `${segments[at - 1]}/{${param}}`;
}
