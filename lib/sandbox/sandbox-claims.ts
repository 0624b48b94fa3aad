// Warm-pool claims on the host (README "Warm pools"): a pooled sandbox is started under its own id
// (pol_…) and, once a create has claimed it, serves a session whose id differs. The claim is a
// file in the pooled sandbox's root (claim.json: the session id and the session's env) and an
// entry in the backend's map, so every operation on the session id reaches the pooled container
// and directory (backend-context.ts: sandboxHandle). Env vars cannot be put into a running init,
// so a claimed sandbox's env is given to each exec and terminal instead (runc-backend.ts).
import { readdirSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

export type SandboxClaim = { sandboxId: string; env: Record<string, string> };

export const CLAIM_FILE = "claim.json";
/** Ids of pooled sandboxes; never a session id (ses_…). */
export const POOLED_SANDBOX_PREFIX = "pol_";

export const isPooledSandboxId = (id: string) => id.startsWith(POOLED_SANDBOX_PREFIX);

/** The claims recorded under stateDir (read once when the backend is made; a restart keeps them). */
export function loadClaims(stateDir: string): Map<string, SandboxClaim> {
  const claims = new Map<string, SandboxClaim>();
  let names: string[] = [];
  try {
    names = readdirSync(stateDir);
  } catch {
    return claims;
  }
  for (const name of names.filter(isPooledSandboxId)) {
    try {
      const c = JSON.parse(readFileSync(path.join(stateDir, name, CLAIM_FILE), "utf8")) as { sessionId: string; env: Record<string, string> };
      claims.set(c.sessionId, { sandboxId: name, env: c.env ?? {} });
    } catch {
      // unclaimed (or the file was never completed): the runner's pool removes it
    }
  }
  return claims;
}

/** Records that sessionId now uses the pooled sandbox (written whole, then renamed). */
export async function writeClaim(stateDir: string, claims: Map<string, SandboxClaim>, sandboxId: string, sessionId: string, env: Record<string, string>): Promise<void> {
  const root = path.join(stateDir, sandboxId);
  const tmp = path.join(root, `.${CLAIM_FILE}.tmp`);
  await fs.writeFile(tmp, JSON.stringify({ sessionId, env }), { mode: 0o600 });
  await fs.rename(tmp, path.join(root, CLAIM_FILE));
  claims.set(sessionId, { sandboxId, env });
}

/** The session id a pooled container serves, by its sandbox id (for list()). */
export function sessionIdsBySandbox(claims: Map<string, SandboxClaim>): Map<string, string> {
  return new Map([...claims].map(([sessionId, c]) => [c.sandboxId, sessionId]));
}
