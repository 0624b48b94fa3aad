// Helpers for integration tests: tenants made through the real domain functions, route handlers
// called with real Request objects, and console cookies minted the way Auth.js mints them.
import { encode } from "next-auth/jwt";
import { inject } from "vitest";
import { startConsoleSession } from "@/lib/auth/console-sessions";
import { SCOPES, type Scope } from "@/lib/auth/scopes";
import { tenantDb } from "@/lib/db/tenant-scope";
import { newId } from "@/lib/ids";
import { createApiKey } from "@/lib/keys";
import { signUp } from "@/lib/tenants";

process.env.DATABASE_URL ??= inject("databaseUrl");

let counter = 0;
export function uniqueSlug(prefix = "t"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export async function createKey(tenantId: string, scopes: Scope[] = [...SCOPES], opts: { expiresAt?: string } = {}) {
  return createApiKey({
    ctx: {
      tenantId, tenantSlug: "", actor: { type: "system", id: null, label: "test" }, role: null, scopes: SCOPES,
      db: tenantDb(tenantId), ip: null, requestId: newId("req"),
    },
    input: { name: "test key", scopes, ...opts },
  });
}

export type TestTenant = { id: string; slug: string; userId: string; email: string; password: string; key: string; keyId: string };

/** A fresh tenant with an owner and an all-scopes API key. */
export async function createTestTenant(): Promise<TestTenant> {
  const slug = uniqueSlug();
  const email = `${slug}@example.test`;
  const password = "correct horse battery";
  const { user, tenant } = await signUp({ input: { email, password, tenantName: `Tenant ${slug}`, tenantSlug: slug }, ip: null });
  const key = await createKey(tenant.id);
  return { id: tenant.id, slug, userId: user.id, email, password, key: key.secret, keyId: key.id };
}

/** The cookie header a signed-in console user sends (with a live console session, as a sign-in makes). */
export async function sessionCookie(user: { userId: string; email: string }): Promise<string> {
  const name = "authjs.session-token";
  const sid = await startConsoleSession({ userId: user.userId, userAgent: "vitest", ip: null });
  const token = await encode({ token: { sub: user.userId, email: user.email, sid }, secret: process.env.AUTH_SECRET!, salt: name });
  return `${name}=${token}`;
}

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function call(
  handler: RouteHandler,
  opts: { method?: string; path: string; key?: string; cookie?: string; tenant?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; params?: Record<string, string> },
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers = new Headers(opts.headers);
  if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  if (opts.tenant) headers.set("x-burrow-tenant", opts.tenant);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const req = new Request(`http://127.0.0.1${opts.path}`, { method: opts.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
