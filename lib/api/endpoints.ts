// Every public endpoint's contract, in one list: route handlers validate with these and
// /api/v1/openapi.json is generated from them.
import { z } from "zod";
import { auditEventPageSchema, listAuditEventsQuerySchema } from "../audit";
import { apiKeyPageSchema, apiKeySchema, createApiKeySchema, createdApiKeySchema, listApiKeysQuerySchema } from "../keys/schemas";
import {
  acceptInvitationSchema, createInvitationSchema, createdInvitationSchema, invitationListSchema, invitationSchema,
  listMembersQuerySchema, memberPageSchema, memberSchema, updateMemberSchema,
} from "../members/schemas";
import { createTenantSchema, meSchema, myTenantSchema, myTenantsSchema, signUpSchema, tenantSchema, updateTenantSchema } from "../tenants/schemas";
import { defineEndpoint } from "./endpoint";

export const endpoints = {
  signUp: defineEndpoint({
    method: "POST", path: "/api/auth/signup", tag: "Account", auth: "none", status: 201,
    summary: "Create an account and its first tenant", body: signUpSchema,
    response: z.object({ user: z.object({ id: z.string(), email: z.string() }), tenant: tenantSchema }),
  }),
  getMe: defineEndpoint({
    method: "GET", path: "/api/v1/me", tag: "Account", summary: "The calling key or user, its tenant and scopes", response: meSchema,
  }),
  listMyTenants: defineEndpoint({
    method: "GET", path: "/api/v1/tenants", tag: "Tenants", auth: "user", summary: "Tenants the signed-in user belongs to", response: myTenantsSchema,
  }),
  createTenant: defineEndpoint({
    method: "POST", path: "/api/v1/tenants", tag: "Tenants", auth: "user", status: 201,
    summary: "Create a tenant owned by the signed-in user", body: createTenantSchema, response: myTenantSchema,
  }),
  getTenant: defineEndpoint({
    method: "GET", path: "/api/v1/tenant", tag: "Tenants", summary: "The caller's tenant", response: tenantSchema,
  }),
  updateTenant: defineEndpoint({
    method: "PATCH", path: "/api/v1/tenant", tag: "Tenants", scopes: ["admin"], summary: "Rename the caller's tenant",
    body: updateTenantSchema, response: tenantSchema,
  }),
  listApiKeys: defineEndpoint({
    method: "GET", path: "/api/v1/api-keys", tag: "API keys", scopes: ["admin"], summary: "List API keys",
    query: listApiKeysQuerySchema, response: apiKeyPageSchema,
  }),
  createApiKey: defineEndpoint({
    method: "POST", path: "/api/v1/api-keys", tag: "API keys", scopes: ["admin"], status: 201,
    summary: "Create an API key; the secret is in this response only", body: createApiKeySchema, response: createdApiKeySchema,
  }),
  revokeApiKey: defineEndpoint({
    method: "DELETE", path: "/api/v1/api-keys/{id}", tag: "API keys", scopes: ["admin"], summary: "Revoke an API key at once", response: apiKeySchema,
  }),
  listMembers: defineEndpoint({
    method: "GET", path: "/api/v1/members", tag: "Members", summary: "List the tenant's members", query: listMembersQuerySchema, response: memberPageSchema,
  }),
  updateMember: defineEndpoint({
    method: "PATCH", path: "/api/v1/members/{id}", tag: "Members", scopes: ["admin"], summary: "Change a member's role",
    body: updateMemberSchema, response: memberSchema,
  }),
  removeMember: defineEndpoint({
    method: "DELETE", path: "/api/v1/members/{id}", tag: "Members", scopes: ["admin"], summary: "Remove a member", response: memberSchema,
  }),
  listInvitations: defineEndpoint({
    method: "GET", path: "/api/v1/invitations", tag: "Members", scopes: ["admin"], summary: "Pending invitations", response: invitationListSchema,
  }),
  createInvitation: defineEndpoint({
    method: "POST", path: "/api/v1/invitations", tag: "Members", scopes: ["admin"], status: 201,
    summary: "Create an invitation link; the link is in this response only", body: createInvitationSchema, response: createdInvitationSchema,
  }),
  revokeInvitation: defineEndpoint({
    method: "DELETE", path: "/api/v1/invitations/{id}", tag: "Members", scopes: ["admin"], summary: "Revoke an invitation", response: invitationSchema,
  }),
  acceptInvitation: defineEndpoint({
    method: "POST", path: "/api/v1/invitations/accept", tag: "Members", auth: "user", summary: "Join a tenant with an invitation token",
    body: acceptInvitationSchema,
    response: z.object({ tenant: z.object({ slug: z.string(), name: z.string() }), role: z.string(), alreadyMember: z.boolean() }),
  }),
  listAuditEvents: defineEndpoint({
    method: "GET", path: "/api/v1/audit-log", tag: "Audit log", scopes: ["admin"], summary: "The tenant's audit log, newest first",
    query: listAuditEventsQuerySchema, response: auditEventPageSchema,
  }),
};
