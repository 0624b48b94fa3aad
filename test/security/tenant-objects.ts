// One object of every kind a path can name ({id} of a session, snapshot, template, API key,
// member, invitation; {traceId}), made for one tenant through the real routes where that needs no
// sandbox, and as rows where it would (a session on a registered runner that nothing listens on,
// a snapshot row, a span). The security suite makes one set per tenant and reuses it.
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as templatesRoute from "@/app/api/v1/templates/route";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { newSpanId, newTraceId } from "@/lib/telemetry/traceparent";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { sessionRowIn } from "../session-rows";

export type TenantObjects = TestTenant & {
  ids: { session: string; snapshot: string; template: string; apiKey: string; membership: string; invitation: string; trace: string };
};

export async function createTenantObjects(): Promise<TenantObjects> {
  const t = await createTestTenant();
  const session = await sessionRowIn("running", undefined, {}, t);
  const snapshot = await db().snapshot.create({ data: { id: newId("snp"), tenantId: t.id, sessionId: session.id, reason: "manual", manifestHash: "0".repeat(64) } });
  const template = await call(templatesRoute.POST, { method: "POST", path: "/api/v1/templates", key: t.key, body: { name: "tpl-sec", vcpu: 1 } });
  const invitation = await call(invitationsRoute.POST, { method: "POST", path: "/api/v1/invitations", key: t.key, body: { role: "member" } });
  const membership = await db().membership.findFirstOrThrow({ where: { tenantId: t.id, userId: t.userId } });
  const trace = newTraceId();
  const now = BigInt(Date.now()) * 1_000_000n;
  await db().span.create({ data: { tenantId: t.id, traceId: trace, spanId: newSpanId(), sessionId: session.id, name: "sec", kind: "internal", source: "otlp", startNs: now, endNs: now } });
  if (template.status !== 201 || invitation.status !== 201) throw new Error(`fixtures: template ${template.status}, invitation ${invitation.status}`);
  return {
    ...t,
    ids: { session: session.id, snapshot: snapshot.id, template: template.body.id, apiKey: t.keyId, membership: membership.id, invitation: invitation.body.id, trace },
  };
}

/** The objects' state that a foreign caller's request must leave as it was. */
export async function objectState(t: TenantObjects) {
  const [key, membership, invitation, session, snapshot, template] = await Promise.all([
    db().apiKey.findUniqueOrThrow({ where: { id: t.ids.apiKey } }),
    db().membership.findUniqueOrThrow({ where: { id: t.ids.membership } }),
    db().invitation.findUniqueOrThrow({ where: { id: t.ids.invitation } }),
    db().session.findUniqueOrThrow({ where: { id: t.ids.session } }),
    db().snapshot.findUniqueOrThrow({ where: { id: t.ids.snapshot } }),
    db().template.findUniqueOrThrow({ where: { id: t.ids.template } }),
  ]);
  return {
    key: { revokedAt: key.revokedAt, spendLimitCents: key.spendLimitCents },
    membership: membership.role,
    invitation: invitation.revokedAt,
    session: { desiredState: session.desiredState, state: session.state },
    snapshot: snapshot.status,
    template: { vcpu: template.vcpu, name: template.name },
  };
}
