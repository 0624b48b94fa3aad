export { listMembers, changeMemberRole, removeMember } from "./members";
export { createInvitation, listPendingInvitations, revokeInvitation, acceptInvitation } from "./invitations";
export * from "./schemas";
