export { createApiKey } from "./create-api-key";
export { listApiKeys } from "./list-api-keys";
export { revokeApiKey } from "./revoke-api-key";
export { updateApiKey } from "./update-api-key";
export { authenticateApiKey, forgetApiKeys, forgetTenantKeys } from "./authenticate-api-key";
export * from "./schemas";
export { generateKeySecret, hashKeySecret, keyStart } from "./secret";
export { canManageAllKeys, manageableKeysWhere } from "./key-access";
export { revokeKeysBeyondScopes } from "./revoke-keys-beyond-role";
