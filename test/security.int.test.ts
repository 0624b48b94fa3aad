// The security suite, generated from the endpoint registry (lib/api/endpoints.ts): every path and
// method gets 401 (no credentials, a bad key, a revoked key, a forged cookie), 403 (a key without
// the endpoint's scopes; a console cookie of each role that lacks them, so a viewer for every
// write; an API key on a signed-in-user route), 404 (tenant A's key and cookie on tenant B's id,
// for every id in the path, also as an event stream, for every enum query variant such as
// format=text, and with a raw body where the endpoint takes one) and 400/415 (a malformed body,
// unknown fields, an unknown query parameter, a raw body of the wrong type or shape); and every
// read's success answer, which withApi checks against the response schema. Routes without
// credentials are exactly lib/api/public-routes.ts. Nothing here starts a sandbox.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "@/lib/api/endpoint";
import { endpoints } from "@/lib/api/endpoints";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { PUBLIC_ROUTES } from "@/lib/api/public-routes";
import { hasScopes, ROLE_SCOPES, SCOPES, type Role, type Scope } from "@/lib/auth/scopes";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { createKey, createTestTenant, sessionCookie } from "./helpers";
import { EXAMPLE_BODIES, EXAMPLE_QUERIES, KNOWN_DEFECTS, PARAM_KINDS, paramKey, RAW_BODY_UNPROBED, SUCCESS_UNPROBED, VIEWER_WRITES } from "./security/examples";
import { createTenantObjects, objectState, type TenantObjects } from "./security/tenant-objects";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Auth = { key?: string; cookie?: string; tenant?: string };
type Probe = {
  name: string;
  expect: number;
  auth: Auth;
  params: Record<string, string>;
  query?: Record<string, string>;
  body?: { text: string; contentType: string };
  accept?: string;
};
type Operation = { id: string; endpoint: Endpoint; handler: Handler };

const ERROR_CODES: Record<number, string> = { 400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 415: "unsupported_media_type" };
const PROBE_ROLES: Role[] = ["viewer", "member"];
/** Requests one key sends before the next is made (the test rate limit is 300 per minute). */
const USES_PER_KEY = 150;

const operations: Operation[] = (Object.entries(endpoints) as [string, Endpoint][]).map(([id, endpoint]) => ({ id, endpoint, handler: null as never }));
const isPublic = (e: Endpoint) => PUBLIC_ROUTES.some((r) => r.method === e.method && r.path === e.path);
const pathParams = (e: Endpoint) => [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { parameters: { name: string; in: string; schema: { enum?: string[] } }[] }>> };

let a: TenantObjects;
let b: TenantObjects;
let bBefore: Awaited<ReturnType<typeof objectState>>;
let aOwnerCookie: string;
const roleCookies = {} as Record<Role, string>;
let revokedKey: string;
const keyPool = { secret: "", uses: USES_PER_KEY };
const keysWithout = new Map<string, string>();
let probesSent = 0;

async function aKey(): Promise<string> {
  if (keyPool.uses >= USES_PER_KEY) Object.assign(keyPool, { secret: (await createKey(a.id)).secret, uses: 0 });
  keyPool.uses += 1;
  return keyPool.secret;
}

/** An API key of tenant A with every scope but the endpoint's. */
async function keyWithout(scopes: Scope[]): Promise<string> {
  const name = scopes.join(",");
  if (!keysWithout.has(name)) keysWithout.set(name, (await createKey(a.id, SCOPES.filter((s) => !scopes.includes(s)))).secret);
  return keysWithout.get(name)!;
}

async function cookieOfRole(role: Role): Promise<string> {
  const user = await createTestTenant();
  await db().membership.create({ data: { id: newId("mem"), tenantId: a.id, userId: user.userId, role } });
  return sessionCookie(user);
}

beforeAll(async () => {
  for (const op of operations) {
    const dir = op.endpoint.path.replace(/\{(\w+)\}/g, "[$1]");
    const mod = (await import(path.join(import.meta.dirname, "..", "app", dir, "route.ts"))) as Record<string, Handler>;
    op.handler = mod[op.endpoint.method];
  }
  [a, b] = await Promise.all([createTenantObjects(), createTenantObjects()]);
  bBefore = await objectState(b);
  aOwnerCookie = await sessionCookie(a);
  for (const role of PROBE_ROLES) roleCookies[role] = await cookieOfRole(role);
  const revoked = await createKey(a.id);
  await db().apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  revokedKey = revoked.secret;
}, 120_000);

/** A's own value for each path parameter (B's objects are swapped in by the 404 probes). */
function ownParams(e: Endpoint): Record<string, string> {
  return Object.fromEntries(pathParams(e).map((p) => {
    const kind = PARAM_KINDS[paramKey(e.path, p)];
    return [p, !kind ? "unknown" : "kind" in kind ? a.ids[kind.kind] : kind.wellFormed()];
  }));
}

function validInput(op: Operation): { body?: unknown; query?: Record<string, string>; missing?: string } {
  const { body, query } = op.endpoint;
  const out: { body?: unknown; query?: Record<string, string>; missing?: string } = {};
  if (body) out.body = EXAMPLE_BODIES[op.id] ?? (body.safeParse({}).success ? {} : undefined);
  if (query) out.query = EXAMPLE_QUERIES[op.id] ?? (query.safeParse({}).success ? {} : undefined);
  if ((body && out.body === undefined) || (query && out.query === undefined)) {
    out.missing = `add a valid ${out.body === undefined && body ? "body" : "query"} for ${op.id} to test/security/examples.ts`;
  }
  return out;
}

function jsonBody(value: unknown) {
  return value === undefined ? undefined : { text: JSON.stringify(value), contentType: "application/json" };
}

function rawBodyOf(e: Endpoint) {
  return e.rawBody ? { text: "x", contentType: e.rawBody.contentTypes[0] } : undefined;
}

async function probesFor(op: Operation, problems: string[]): Promise<Probe[]> {
  const e = op.endpoint;
  const mode = e.auth ?? "tenant";
  const input = validInput(op);
  if (input.missing && (pathParams(e).length || e.rawBody)) problems.push(input.missing);
  const params = ownParams(e);
  const valid = { params, query: input.query, body: jsonBody(input.body) ?? rawBodyOf(e) };
  const streams = e.method === "GET" || e.method === "POST";
  const probes: Probe[] = [];
  if (isPublic(e)) {
    if (mode !== "none") problems.push(`${e.method} ${e.path} is listed as public but asks for credentials`);
  } else {
    if (mode === "none") problems.push(`${e.method} ${e.path} takes no credentials and is not in lib/api/public-routes.ts`);
    for (const [name, auth] of [["no credentials", {}], ["a bad key", { key: `bur_${newId("key").slice(4)}x` }], ["a revoked key", { key: revokedKey }],
      ["a forged cookie", { cookie: "authjs.session-token=forged", tenant: a.slug }]] as const) {
      probes.push({ name: `401 with ${name}`, expect: 401, auth, ...valid });
      if (streams && name === "no credentials") probes.push({ name: "401 with no credentials, as an event stream", expect: 401, auth, ...valid, accept: "text/event-stream" });
    }
  }
  if (mode === "user") probes.push({ name: "403 for an API key on a signed-in-user route", expect: 403, auth: { key: await aKey() }, ...valid });
  if (mode === "tenant" && !isPublic(e)) {
    const scopes = e.scopes ?? [];
    if (e.method !== "GET" && hasScopes(ROLE_SCOPES.viewer, scopes) && !VIEWER_WRITES[op.id]) problems.push(`${e.method} ${e.path} is a write a viewer may call: give it a scope`);
    if (scopes.length) {
      const key = await keyWithout(scopes);
      probes.push({ name: `403 for a key without ${scopes.join(", ")}`, expect: 403, auth: { key }, ...valid });
      if (streams) probes.push({ name: "403 for a key without the scope, as an event stream", expect: 403, auth: { key }, ...valid, accept: "text/event-stream" });
    }
    for (const role of PROBE_ROLES.filter((r) => !hasScopes(ROLE_SCOPES[r], scopes))) {
      probes.push({ name: `403 for a ${role}'s cookie`, expect: 403, auth: { cookie: roleCookies[role], tenant: a.slug }, ...valid });
    }
    probes.push(...(await foreignIdProbes(e, valid, problems)));
  }
  probes.push(...(await malformedProbes(op, valid, mode)));
  // A read's success answer passes withApi's response check (outside production a mismatch is a 500).
  if (e.method === "GET" && !SUCCESS_UNPROBED[op.id]) {
    probes.push({ name: "answers as its response schema says", expect: e.status ?? 200, auth: mode === "none" ? {} : { key: await aKey() }, ...valid });
  }
  return probes;
}

async function foreignIdProbes(e: Endpoint, valid: Pick<Probe, "params" | "query" | "body">, problems: string[]): Promise<Probe[]> {
  const probes: Probe[] = [];
  const enums = (doc.paths[e.path][e.method.toLowerCase()].parameters ?? [])
    .filter((p) => p.in === "query" && p.schema.enum)
    .flatMap((p) => p.schema.enum!.map((v) => ({ [p.name]: String(v) })));
  for (const param of pathParams(e)) {
    const kind = PARAM_KINDS[paramKey(e.path, param)];
    if (!kind) {
      problems.push(`no object kind for ${paramKey(e.path, param)}: add it to PARAM_KINDS in test/security/examples.ts (and make one in tenant-objects.ts)`);
      continue;
    }
    if (!("kind" in kind)) continue; // Nothing of B's to name: see PARAM_KINDS for why.
    const params = { ...valid.params, [param]: b.ids[kind.kind] };
    const variants: { label: string; query?: Record<string, string>; accept?: string }[] = [
      { label: "" },
      ...(e.method === "GET" || e.method === "POST" ? [{ label: ", as an event stream", accept: "text/event-stream" }] : []),
      ...enums.map((q) => ({ label: ` with ?${new URLSearchParams(q)}`, query: { ...valid.query, ...q } })),
    ];
    for (const v of variants) {
      for (const [who, auth] of [["key", { key: await aKey() }], ["cookie", { cookie: aOwnerCookie, tenant: a.slug }]] as const) {
        probes.push({ name: `404 for tenant B's ${kind.kind} as {${param}} (A's ${who}${v.label})`, expect: 404, auth, ...valid, params, query: v.query ?? valid.query, accept: v.accept });
      }
    }
  }
  return probes;
}

async function malformedProbes(op: Operation, valid: Pick<Probe, "params" | "query" | "body">, mode: string): Promise<Probe[]> {
  const e = op.endpoint;
  const auth: Auth = mode === "tenant" ? { key: await aKey() } : mode === "user" ? { cookie: aOwnerCookie } : {};
  const probes: Probe[] = [];
  if (e.body) {
    const example = (EXAMPLE_BODIES[op.id] ?? {}) as Record<string, unknown>;
    probes.push({ name: "400 for a body that is not JSON", expect: 400, auth, ...valid, body: { text: "{", contentType: "application/json" } });
    probes.push({ name: "400 for a body with an unknown field", expect: 400, auth, ...valid, body: jsonBody({ ...example, __unknown: 1 }) });
    probes.push({ name: "400 for a body of the wrong type", expect: 400, auth, ...valid, body: jsonBody([example]) });
  }
  if (e.query) probes.push({ name: "400 for an unknown query parameter", expect: 400, auth, ...valid, query: { ...valid.query, __unknown: "1" } });
  if (e.rawBody && !e.rawBody.contentTypes.includes("*/*") && !RAW_BODY_UNPROBED[op.id]) {
    probes.push({ name: "415 for a raw body of another type", expect: 415, auth, ...valid, body: { text: "x", contentType: "text/x-unknown" } });
    probes.push({ name: "400 for a raw body that is not what it says", expect: 400, auth, ...valid, body: { text: "\u0000not it", contentType: e.rawBody.contentTypes[0] } });
  }
  return probes;
}

async function send(op: Operation, probe: Probe): Promise<{ status: number; code?: string; text: string }> {
  const headers = new Headers();
  if (probe.auth.key) headers.set("authorization", `Bearer ${probe.auth.key}`);
  if (probe.auth.cookie) headers.set("cookie", probe.auth.cookie);
  if (probe.auth.tenant) headers.set("x-burrow-tenant", probe.auth.tenant);
  if (probe.body) headers.set("content-type", probe.body.contentType);
  if (probe.accept) headers.set("accept", probe.accept);
  const urlPath = Object.entries(probe.params).reduce((p, [k, v]) => p.replace(`{${k}}`, encodeURIComponent(v)), op.endpoint.path);
  const query = probe.query && Object.keys(probe.query).length ? `?${new URLSearchParams(probe.query)}` : "";
  const req = new Request(`http://127.0.0.1${urlPath}${query}`, { method: op.endpoint.method, headers, body: probe.body?.text });
  probesSent += 1;
  const res = await op.handler(req, { params: Promise.resolve(probe.params) });
  if (res.headers.get("content-type")?.includes("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, text: "(an event stream)" };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text)?.error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text: text.slice(0, 300) };
}

describe("generated security suite", () => {
  afterAll(() => {
    console.log(`security suite: ${operations.length} routes × methods, ${probesSent} requests`);
  });

  it.each(operations.map((op) => [`${op.endpoint.method} ${op.endpoint.path}`, op] as const))("%s", async (_, op) => {
    const problems: string[] = [];
    const probes = await probesFor(op, problems);
    for (const probe of probes) {
      const got = await send(op, probe);
      // OTLP answers errors in OTLP's own shape (google.rpc.Status), so only its status is checked.
      const wantCode = op.endpoint.path.startsWith("/api/otlp/") ? undefined : ERROR_CODES[probe.expect];
      const failed = got.status !== probe.expect || (wantCode && got.code !== wantCode);
      const known = KNOWN_DEFECTS[`${op.endpoint.method} ${op.endpoint.path}: ${probe.name}`];
      if (failed && !known) problems.push(`${probe.name}: answered ${got.status} ${got.code ?? ""} ${got.text}`);
      if (!failed && known) problems.push(`${probe.name} passes now: remove it from KNOWN_DEFECTS in test/security/examples.ts`);
    }
    expect(problems).toEqual([]);
  });

  it("left tenant B's objects as they were", async () => {
    expect(await objectState(b)).toEqual(bBefore);
  });
});
