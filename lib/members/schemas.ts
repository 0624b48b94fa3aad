import { z } from "zod";
import { pageQuerySchema, pageSchema } from "../api/pagination";
import { roleSchema } from "../auth/scopes";

export const memberSchema = z.object({
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  createdAt: z.string(),
});
export const listMembersQuerySchema = pageQuerySchema;
export const memberPageSchema = pageSchema(memberSchema);

export const updateMemberSchema = z.object({ role: roleSchema }).strict();

export const createInvitationSchema = z
  .object({
    role: roleSchema.default("member"),
    email: z.email().max(254).optional().describe("Only for the record: no mail is sent; give the invitee the link"),
    expiresInDays: z.number().int().min(1).max(30).default(7),
  })
  .strict();

export const invitationSchema = z.object({
  id: z.string(),
  role: roleSchema,
  email: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
  status: z.enum(["pending", "accepted", "expired", "revoked"]),
});
export const createdInvitationSchema = invitationSchema.extend({
  token: z.string().describe("Shown only in this response"),
  url: z.string().describe("The link to give the invitee: /invite/<token>"),
});
export const invitationListSchema = z.object({ data: z.array(invitationSchema) });

export const acceptInvitationSchema = z.object({ token: z.string().min(20).max(200) }).strict();
export const acceptedInvitationSchema = z.object({ tenant: z.object({ slug: z.string(), name: z.string() }), role: z.string(), alreadyMember: z.boolean() });
