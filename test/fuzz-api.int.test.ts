// The API fuzzer: every operation of the endpoint registry, called through its real route handler
// with requests drawn from the OpenAPI document's schemas, valid or broken (wrong types, huge
// sizes, NUL and lone surrogates, unknown fields, wrong content types, odd ids, deep nesting, odd
// dates and cursors). The contract: never a 5xx, every 4xx in the documented error shape, and
// every request answered. FUZZ_SEED=<n> replays a run (the seed is printed when it fails).
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "@/lib/api/endpoint";
import { endpoints } from "@/lib/api/endpoints";
import { STATUS_BY_CODE } from "@/lib/api/errors";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { otlpTypes } from "@/lib/telemetry/otlp/otlp-schema";
import { DEEP_MARKER, expandDeepMarkers, ODD_STRINGS, oddString, valueFor, type JsonSchema } from "./fuzz/arbitraries";
import { sessionRowIn } from "./session-rows";
import { createKey, createTestTenant, sessionCookie, uniqueSlug, type TestTenant } from "./helpers";

const REQUESTS_PER_OPERATION = 170;
/** Requests one credential sends, below the test rate limit (API_RATE_LIMIT_PER_MINUTE=300). */
const REQUESTS_PER_CREDENTIAL = 200;
const PARALLEL = 8;
const REQUEST_BOUND_MS = 20_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Operation = { id: string; endpoint: Endpoint; handler: Handler; doc: OperationDoc };
type OperationDoc = {
  parameters?: { name: string; in: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
};
type Auth = "valid" | "none" | "bogus" | "cookie-tenant";
type FuzzRequest = {
  op: string;
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  auth: Auth;
  body?: { text: string; contentType: string | null };
  idempotencyKey?: string;
  accept?: string;
};
type Failure = { kind: string; request: string; status: number; answer: string };

const operations: Operation[] = [];
let tenant: TestTenant;
const keys: string[] = [];
const cookies: string[] = [];
/** Ids that exist, for read operations only (a write on them could start a sandbox or lock us out). */
const realIds: Record<string, string> = {};
const noRunnerPool = uniqueSlug("fuzz-pool");

async function routeHandler(endpoint: Endpoint): Promise<Handler> {
  const dir = endpoint.path.replace(/\{(\w+)\}/g, "[$1]");
  const mod = (await import(path.join(import.meta.dirname, "..", "app", dir, "route.ts"))) as Record<string, Handler>;
  const handler = mod[endpoint.method];
  if (!handler) throw new Error(`${endpoint.method} ${endpoint.path} has no route handler`);
  return handler;
}

beforeAll(async () => {
  const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, OperationDoc>> };
  for (const [id, endpoint] of Object.entries(endpoints) as [string, Endpoint][]) {
    operations.push({ id, endpoint, handler: await routeHandler(endpoint), doc: doc.paths[endpoint.path][endpoint.method.toLowerCase()] });
  }
  tenant = await createTestTenant();
  const total = operations.length * REQUESTS_PER_OPERATION;
  for (let i = 0; i < Math.ceil(total / REQUESTS_PER_CREDENTIAL) + 1; i++) keys.push((await createKey(tenant.id)).secret);
  cookies.push(await sessionCookie(tenant));
  for (let i = 0; i < 3; i++) cookies.push(await sessionCookie(await createTestTenant()));
  // A session row on a fake runner (nothing listens at its address): reads of it touch no sandbox.
  realIds.id = (await sessionRowIn("paused", undefined, {}, tenant)).id;
}, 120_000);

const paramValue = fc.oneof(
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z]{3}_[0-9A-Z]{26}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{32}$/) },
  { weight: 1, arbitrary: fc.constantFrom("base", "accept", "..", ".", "%2e%2e", "a/b") },
);

function queryArb(op: Operation): fc.Arbitrary<[string, string][]> {
  const params = (op.doc.parameters ?? []).filter((p) => p.in === "query");
  const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? "");
  const fields = params.map((p) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: valueFor(p.schema, 0) }, { weight: 1, arbitrary: valueFor(p.schema, 0.5) })
      .map((v): [string, string] => [p.name, asText(v)]), { freq: 2 }));
  const extra = fc.option(fc.tuple(fc.oneof(fc.constantFrom(...params.map((p) => p.name), "unknown"), oddString), oddString), { freq: 4 });
  return fc.tuple(fc.tuple(...fields), extra).map(([given, more]) => [...given.filter((g) => g !== null), ...(more ? [more] : [])]);
}

function bodyArb(op: Operation): fc.Arbitrary<FuzzRequest["body"]> {
  const { endpoint } = op;
  if (endpoint.rawBody) {
    const types = [...endpoint.rawBody.contentTypes, "application/json", "text/plain"];
    const bytes = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"\\u0000"}]}]}]}', "", "\u0000"));
    return fc.record({ text: bytes, contentType: fc.option(fc.constantFrom(...types), { freq: 8 }) });
  }
  const schema = op.doc.requestBody?.content["application/json"]?.schema;
  if (!schema) return fc.option(fc.record({ text: fc.constantFrom("{}", "x", "\u0000"), contentType: fc.constant("application/json") }), { freq: 4 }).map((b) => b ?? undefined);
  const value = fc.oneof({ weight: 2, arbitrary: valueFor(schema, 0) }, { weight: 3, arbitrary: valueFor(schema, 0.2) }, { weight: 1, arbitrary: valueFor(schema, 0.6) });
  const text = fc.oneof(
    { weight: 12, arbitrary: value.map((v) => expandDeepMarkers(JSON.stringify(v))) },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "[]", "null", '"\u0000"', '{"a":1,"a":2}', "\ufeff{}", `{"x":"${"\\ud800"}"}`) },
  );
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant("application/json") },
    { weight: 1, arbitrary: fc.constantFrom(null, "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "application/jsonx") },
  );
  return fc.record({ text, contentType });
}

function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
  const names = [...op.endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const readOnly = op.endpoint.method === "GET" && !op.endpoint.path.includes("/files") && !op.endpoint.path.includes("/terminals/");
  const param = (name: string) => (readOnly && realIds[name] ? fc.oneof(paramValue, fc.constant(realIds[name])) : paramValue);
  return fc.record({
    op: fc.constant(op.id),
    method: fc.constant(op.endpoint.method),
    params: fc.record(Object.fromEntries(names.map((n) => [n, param(n)]))) as fc.Arbitrary<Record<string, string>>,
    query: queryArb(op),
    auth: fc.oneof({ weight: 16, arbitrary: fc.constant<Auth>("valid") }, { weight: 1, arbitrary: fc.constantFrom<Auth>("none", "bogus", "cookie-tenant") }),
    body: bodyArb(op),
    idempotencyKey: fc.option(fc.string({ maxLength: 300 }).filter((k) => !/[\0\r\n]/.test(k)), { freq: 4 }).map((k) => k ?? undefined),
    accept: fc.option(fc.constantFrom("text/event-stream", "*/*", "application/json"), { freq: 3 }).map((a) => a ?? undefined),
  });
}

/** createSession's valid bodies go to a pool without runners (503 at once): never a sandbox. */
function keepSessionsOffRunners(req: FuzzRequest) {
  if (req.op !== "createSession" || !req.body) return;
  try {
    const value = JSON.parse(req.body.text);
    if (value && typeof value === "object" && !Array.isArray(value) && typeof value.pool !== "string") {
      req.body.text = JSON.stringify({ ...value, pool: noRunnerPool });
    }
  } catch {
    // Not JSON (or too deep for JSON.parse): the handler refuses it before any placement.
  }
}

function describeRequest(r: FuzzRequest): string {
  const short = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…(${s.length} chars)` : s);
  return JSON.stringify({ ...r, body: r.body && { ...r.body, text: short(r.body.text) }, query: r.query.map(([k, v]) => [k, short(v)]) });
}

const sent = { count: 0, byCredential: new Map<string, number>() };

function credential(list: string[], kind: string): string {
  const n = sent.byCredential.get(kind) ?? 0;
  sent.byCredential.set(kind, n + 1);
  return list[Math.floor(n / REQUESTS_PER_CREDENTIAL) % list.length];
}

/** A URL carries no lone surrogate (it is UTF-8); the handler still gets the raw param. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

type Answer = { status: number; text: string; bytes: Uint8Array; contentType: string };

async function send(op: Operation, r: FuzzRequest): Promise<Answer> {
  const pathname = op.endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(wellFormed(r.params[name])).slice(0, 8000));
  const url = new URL(`http://127.0.0.1${pathname}`);
  for (const [k, v] of r.query) url.searchParams.append(k, v);
  const headers = new Headers();
  const mode = op.endpoint.auth ?? "tenant";
  if (r.auth === "bogus") headers.set("authorization", "Bearer bur_notakey");
  else if (r.auth === "cookie-tenant" || (r.auth === "valid" && mode === "user")) {
    headers.set("cookie", credential(cookies, "cookie"));
    if (r.auth === "cookie-tenant") headers.set("x-burrow-tenant", tenant.slug);
  } else if (r.auth === "valid" && mode === "tenant") headers.set("authorization", `Bearer ${credential(keys, "key")}`);
  if (r.body?.contentType) headers.set("content-type", r.body.contentType);
  if (r.idempotencyKey !== undefined) headers.set("idempotency-key", r.idempotencyKey);
  if (r.accept) headers.set("accept", r.accept);
  const hasBody = r.body !== undefined && op.endpoint.method !== "GET";
  const req = new Request(url, { method: op.endpoint.method, headers, body: hasBody ? r.body!.text : undefined });
  const res = await op.handler(req, { params: Promise.resolve(r.params) });
  const contentType = res.headers.get("content-type") ?? "";
  // A success may be a stream that never ends (live logs, terminal output): its status is the answer.
  if (res.status < 400) {
    await res.body?.cancel().catch(() => {});
    return { status: res.status, text: "", bytes: new Uint8Array(), contentType };
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, text: Buffer.from(bytes).toString("utf8"), bytes, contentType };
}

function shapeProblem(op: Operation, answer: Answer): string | null {
  const { status, text } = answer;
  // A pool without runners is "unavailable" at once: the one 5xx a request may get here. So is the
  // ports list of the fuzzed session, whose runner row names an address nothing listens on.
  const noRunner = status === 503 && (op.id === "createSession" || op.id === "listSessionPorts") && text.includes('"unavailable"');
  if (status >= 500 && !noRunner) return "a 5xx";
  if (status < 400) return null;
  // OTLP exporters sent protobuf and get the google.rpc.Status the OTLP spec prescribes.
  if (op.endpoint.rawBody?.contentTypes.includes("application/x-protobuf") && answer.contentType === "application/x-protobuf") {
    try {
      otlpTypes.rpcStatus.decode(answer.bytes);
      return null;
    } catch {
      return "an OTLP error that is not a google.rpc.Status";
    }
  }
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown }; requestId?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return "a 4xx without a JSON body";
  }
  const code = body.error?.code;
  if (typeof code !== "string" || !(code in STATUS_BY_CODE)) return "an unknown error code";
  if (STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE] !== status) return "a code that does not match the status";
  if (typeof body.error?.message !== "string" || typeof body.requestId !== "string") return "no message or requestId";
  if (body.error.details !== undefined && (typeof body.error.details !== "object" || body.error.details === null)) return "details not an object";
  return null;
}

async function runAll(jobs: { op: Operation; request: FuzzRequest }[], failures: Failure[], statuses: Map<number, number>) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { op, request } = jobs[next++];
      keepSessionsOffRunners(request);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_BOUND_MS} ms`)), REQUEST_BOUND_MS);
      });
      try {
        const answer = await Promise.race([send(op, request), bound]);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = shapeProblem(op, answer);
        if (problem) failures.push({ kind: `${problem} from ${op.id}`, request: describeRequest(request), status: answer.status, answer: answer.text.slice(0, 300) });
      } catch (err) {
        failures.push({ kind: `threw or hung in ${op.id}`, request: describeRequest(request), status: 0, answer: String(err).slice(0, 300) });
      } finally {
        clearTimeout(timer);
        sent.count += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

/** The malformed requests of issue 14's probe, always sent first. */
function knownCases(): { op: string; request: Partial<FuzzRequest> }[] {
  const deepMetadata = `{"pool":"${noRunnerPool}","metadata":${expandDeepMarkers(JSON.stringify(DEEP_MARKER + 5000))}}`;
  return [
    { op: "listTraces", request: { query: [["to", "2300-01-01T00:00:00Z"]] } },
    { op: "listTraces", request: { query: [["cursor", "99999999999999999999.0123456789abcdef0123456789abcdef"]] } },
    { op: "listSessionSpans", request: { params: { id: "x" }, query: [["cursor", "99999999999999999999.0123456789abcdef"]] } },
    { op: "readSessionLogs", request: { params: { id: "x" }, query: [["to", "0000-01-01T00:00:00Z"]] } },
    { op: "getSession", request: { params: { id: "ses_\u0000" } } },
    { op: "listSessions", request: { query: [["template", "a\u0000b"]] } },
    { op: "createSession", request: { body: { text: deepMetadata, contentType: "application/json" } } },
    { op: "createSession", request: { body: { text: `{"pool":"${noRunnerPool}","template":"a\\u0000b"}`, contentType: "application/json" } } },
    { op: "execInSession", request: { params: { id: "ses_00000000000000000000000000" }, idempotencyKey: "k", accept: "text/event-stream", body: { text: '{"command":["true"]}', contentType: "application/json" } } },
    ...ODD_STRINGS.slice(0, 5).map((s) => ({ op: "getTemplate", request: { params: { id: s } } })),
  ];
}

describe("API fuzzer", () => {
  it(`answers every request to every operation with no 5xx and 4xx in the documented shape (seed ${SEED})`, async () => {
    const jobs: { op: Operation; request: FuzzRequest }[] = [];
    for (const known of knownCases()) {
      const op = operations.find((o) => o.id === known.op)!;
      jobs.push({ op, request: { op: op.id, method: op.endpoint.method, params: {}, query: [], auth: "valid", ...known.request } });
    }
    operations.forEach((op, i) => {
      for (const request of fc.sample(requestArb(op), { seed: SEED + i, numRuns: REQUESTS_PER_OPERATION })) jobs.push({ op, request });
    });
    const failures: Failure[] = [];
    const statuses = new Map<number, number>();
    await runAll(jobs, failures, statuses);
    const fiveXx = failures.filter((f) => f.status >= 500).length;
    const summary = `seed ${SEED} (replay with FUZZ_SEED=${SEED}): ${sent.count} requests to ${operations.length} operations, `
      + `${fiveXx} answered 5xx (not counting the 503s of a pool without runners), ${failures.length} failed; `
      + `statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
    const kinds = new Map<string, number>();
    for (const f of failures) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    console.log(`API fuzzer: ${summary}; failures ${JSON.stringify(Object.fromEntries(kinds), null, 1)}`);
    expect(sent.count).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 20), summary).toEqual([]);
  }, 600_000);
});
