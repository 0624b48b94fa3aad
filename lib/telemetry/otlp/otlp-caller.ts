// Who is exporting: an API key (or console user) with telemetry:write, or a session's own
// telemetry token (see ../session-token.ts), which binds everything it sends to that session.
import { AppError } from "../../api/errors";
import type { TenantContext } from "../../auth/context";
import { authenticateRequest, tenantContextFor, type RequestMeta } from "../../auth/resolve-caller";
import { hasScopes } from "../../auth/scopes";
import { db } from "../../db/client";
import { tenantDb } from "../../db/tenant-scope";
import { sessionOfTelemetryToken } from "../session-token";

export type OtlpCaller = { ctx: TenantContext; boundSessionId: string | null };

export async function otlpCaller(req: Request, meta: RequestMeta): Promise<OtlpCaller> {
  const bearer = /^Bearer\s+(burt_\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "");
  if (bearer) return sessionCaller(bearer[1], meta);
  const ctx = await tenantContextFor(await authenticateRequest(req), req, meta);
  if (!hasScopes(ctx.scopes, ["telemetry:write"])) {
    throw new AppError("forbidden", "This needs the scope(s): telemetry:write", { details: { requiredScopes: ["telemetry:write"] } });
  }
  return { ctx, boundSessionId: null };
}

async function sessionCaller(token: string, meta: RequestMeta): Promise<OtlpCaller> {
  const sessionId = sessionOfTelemetryToken(token);
  if (!sessionId) throw new AppError("unauthorized", "Invalid session telemetry token");
  // The token decides the tenant, so this lookup is not tenant-scoped.
  const session = await db().session.findUnique({ where: { id: sessionId }, select: { tenantId: true, state: true, tenant: { select: { slug: true } } } });
  if (!session || session.state === "terminated" || session.state === "failed") {
    throw new AppError("unauthorized", "This session has ended; its telemetry token no longer works");
  }
  const ctx: TenantContext = {
    tenantId: session.tenantId, tenantSlug: session.tenant.slug, actor: { type: "system", id: null, label: `session ${sessionId}` },
    role: null, scopes: ["telemetry:write"], db: tenantDb(session.tenantId), ...meta,
  };
  return { ctx, boundSessionId: sessionId };
}
