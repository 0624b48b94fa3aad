// The single place where tenancy is enforced for tenant-owned rows. Domain code reaches tenant
// data only through `tenantDb(tenantId)`: every read, update and delete gets `tenantId` added to
// its `where`, every create gets it in `data`. A row of another tenant is therefore never found,
// which the API reports as 404.
import { db } from "./client";

const TENANT_MODELS = new Set([
  "Membership", "Invitation", "ApiKey", "AuditEvent", "IdempotencyRecord",
  "Template", "Session", "SessionEvent", "Snapshot", "TenantQuota",
  "SessionLogLine", "Span", "SessionMetric", "SessionNetworkCounter", "SessionNetworkHour", "SessionNetworkEvent", "PreviewToken",
  "TenantBilling", "UsageHour", "UsagePush", "Invoice", "BudgetAlert",
]);
const WHERE_OPERATIONS = new Set([
  "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
  "groupBy", "update", "updateMany", "delete", "deleteMany", "upsert", "updateManyAndReturn",
]);
const CREATE_OPERATIONS = new Set(["create", "createMany", "createManyAndReturn", "upsert"]);

type Args = { where?: Record<string, unknown>; data?: unknown; create?: Record<string, unknown> };

export function scopeArgs(tenantId: string, operation: string, args: Args | undefined): Args {
  const scoped: Args = { ...(args ?? {}) };
  if (WHERE_OPERATIONS.has(operation)) scoped.where = { ...(scoped.where ?? {}), tenantId };
  if (CREATE_OPERATIONS.has(operation)) {
    if (operation === "upsert") scoped.create = { ...(scoped.create ?? {}), tenantId };
    else if (Array.isArray(scoped.data)) scoped.data = scoped.data.map((row) => ({ ...row, tenantId }));
    else scoped.data = { ...(scoped.data as object), tenantId };
  }
  return scoped;
}

function makeTenantDb(tenantId: string) {
  return db().$extends({
    name: "tenant-scope",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          if (!TENANT_MODELS.has(model)) {
            throw new Error(`${model} is not tenant-owned; read it through its own domain function`);
          }
          return query(scopeArgs(tenantId, operation, args as Args) as typeof args);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof makeTenantDb>;
/** The client handed to a transaction callback of a TenantDb. */
export type TenantTx = Parameters<Parameters<TenantDb["$transaction"]>[0]>[0];

// Building the extension costs more than a cached key lookup, and each request used to build one:
// the extended clients are kept, one per tenant, in a bounded LRU (Map order is insertion order).
// Reset by disconnectDb() through the base client: an entry made from an older db() is rebuilt.
const MAX_CACHED_TENANTS = 1000;
const cache = new Map<string, { base: ReturnType<typeof db>; client: TenantDb }>();

export function tenantDb(tenantId: string): TenantDb {
  const base = db();
  const hit = cache.get(tenantId);
  if (hit && hit.base === base) {
    cache.delete(tenantId);
    cache.set(tenantId, hit);
    return hit.client;
  }
  const client = makeTenantDb(tenantId);
  cache.delete(tenantId);
  if (cache.size >= MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value!);
  cache.set(tenantId, { base, client });
  return client;
}

/** Runs `fn` in a transaction, or inside the caller's transaction when already in one. */
export async function inTransaction<T>(handle: TenantDb | TenantTx, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  if ("$transaction" in handle) return (handle as TenantDb).$transaction((tx) => fn(tx));
  return fn(handle);
}
