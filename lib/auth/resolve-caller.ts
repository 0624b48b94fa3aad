// Who is calling: an API key (Authorization: Bearer bur_…) or a signed-in console user (cookie,
// with the tenant named in the X-Burrow-Tenant header). Produces the context domain code runs with.
import { db } from "../db/client";
import { tenantDb } from "../db/tenant-scope";
import { AppError } from "../api/errors";
import { authenticateApiKey } from "../keys/authenticate-api-key";
import type { TenantContext, TenantSummary, UserContext } from "./context";
import { ROLE_SCOPES, type Role } from "./scopes";
import { readSessionUser } from "./session-cookie";

export const TENANT_HEADER = "x-burrow-tenant";

export type Credentials =
  | { kind: "key"; keyId: string; tenantId: string; tenantSlug: string; tenant: TenantSummary; start: string; scopes: string[] }
  | { kind: "user"; userId: string; email: string; consoleSessionId: string };

export type RequestMeta = { ip: string | null; requestId: string };

export async function authenticateRequest(req: Request): Promise<Credentials> {
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new AppError("unauthorized", "Authorization must be 'Bearer <api key>'");
    const key = await authenticateApiKey(match[1]);
    return { kind: "key", keyId: key.id, tenantId: key.tenantId, tenantSlug: key.tenantSlug, tenant: key.tenant, start: key.start, scopes: key.scopes };
  }
  const user = await readSessionUser(req);
  if (!user) throw new AppError("unauthorized", "Sign in or send an API key as 'Authorization: Bearer bur_…'");
  return { kind: "user", ...user };
}

export async function tenantContextFor(creds: Credentials, req: Request, meta: RequestMeta): Promise<TenantContext> {
  if (creds.kind === "key") {
    return {
      tenantId: creds.tenantId,
      tenantSlug: creds.tenantSlug,
      tenant: creds.tenant,
      actor: { type: "key", id: creds.keyId, label: creds.start },
      role: null,
      scopes: creds.scopes,
      db: tenantDb(creds.tenantId),
      ...meta,
    };
  }
  const tenantRef = req.headers.get(TENANT_HEADER);
  if (!tenantRef) throw new AppError("invalid_request", `Name the tenant in the ${TENANT_HEADER} header`);
  const membership = await db().membership.findFirst({
    where: { userId: creds.userId, tenant: { OR: [{ slug: tenantRef }, { id: tenantRef }] } },
    select: { role: true, tenant: { select: { id: true, slug: true } } },
  });
  // Not a member looks exactly like no such tenant.
  if (!membership) throw new AppError("not_found", "Tenant not found");
  const role = membership.role as Role;
  return {
    tenantId: membership.tenant.id,
    tenantSlug: membership.tenant.slug,
    actor: { type: "user", id: creds.userId, label: creds.email },
    role,
    scopes: ROLE_SCOPES[role],
    db: tenantDb(membership.tenant.id),
    ...meta,
  };
}

export function userContextFor(creds: Credentials, meta: RequestMeta): UserContext {
  if (creds.kind !== "user") throw new AppError("forbidden", "This action needs a signed-in user, not an API key");
  return { userId: creds.userId, email: creds.email, consoleSessionId: creds.consoleSessionId, ...meta };
}
