export { signUp } from "./sign-up";
export { createTenant, createTenantForUser } from "./create-tenant";
export { listMyTenants } from "./list-my-tenants";
export { getMe, getCurrentTenant, updateTenant } from "./current-tenant";
export * from "./schemas";
