export { listMembers, changeMemberRole, removeMember } from "./members";
export { createInvitation, listPendingInvitations, revokeInvitation, acceptInvitation } from "./invitations";
export { describeInvitation, type InvitationPreview } from "./describe-invitation";
export * from "./schemas";
