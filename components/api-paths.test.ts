// The console calls the API only at paths and methods the endpoint registry declares: every
// literal path handed to the fetch helpers (api.get/post/patch/del, apiFetch, apiRaw, usePagedList)
// must match an endpoint. A renamed or removed route then fails here, not in a user's browser.
// (The answers' types are checked by tsc: components/api-types.ts infers them from the schemas.)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpoints } from "@/lib/api/endpoints";

/** Routes that are not JSON endpoints of the registry but documents the console reads. */
const NOT_IN_REGISTRY = new Set(["GET /api/v1/openapi.json"]);

type Call = { file: string; method: string; path: string };

const HELPER_METHOD: Record<string, string> = { "api.get": "GET", "api.post": "POST", "api.patch": "PATCH", "api.del": "DELETE" };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** A path as apiUrl resolves it; `${…}` parts become one-segment wildcards. */
function normalize(literal: string): string {
  const p = literal.startsWith("/api/") ? literal : `/api/v1${literal}`;
  return p.replace(/\$\{[^}]*\}/g, "*");
}

export function consoleApiCalls(root: string): Call[] {
  const calls: Call[] = [];
  for (const file of ["components", "app"].flatMap((d) => sourceFiles(path.join(root, d)))) {
    const text = readFileSync(file, "utf8");
    const rel = path.relative(root, file);
    for (const m of text.matchAll(/\b(api\.(?:get|post|patch|del)|apiFetch|apiRaw)(?:<[^(]*?>)?\(\s*(["'`])(\/[^"'`]*)\2([^)]{0,400})/g)) {
      const explicit = /method:\s*"(GET|POST|PATCH|PUT|DELETE)"/.exec(m[4])?.[1];
      calls.push({ file: rel, method: HELPER_METHOD[m[1]] ?? explicit ?? "GET", path: normalize(m[3]) });
    }
    for (const m of text.matchAll(/\busePagedList(?:<[^(]*?>)?\(\s*["'][^"']*["'],\s*(["'`])(\/[^"'`]*)\1/g)) {
      calls.push({ file: rel, method: "GET", path: normalize(m[2]) });
    }
  }
  return calls;
}

function declared(call: Call): boolean {
  if (NOT_IN_REGISTRY.has(`${call.method} ${call.path}`)) return true;
  const pattern = new RegExp(`^${call.path.split("*").map((s) => s.replace(/[.?+^$()[\]\\|{}]/g, "\\$&")).join("[^/]+")}$`);
  return Object.values(endpoints).some((e) => e.method === call.method && pattern.test(e.path.replace(/\{[^}]+\}/g, "{p}")));
}

describe("console API calls", () => {
  const calls = consoleApiCalls(process.cwd());

  it("finds the console's calls (the scan itself works)", () => {
    expect(calls.length).toBeGreaterThan(40);
    expect(calls).toContainEqual({ file: "components/api-keys/api-keys-table.tsx", method: "DELETE", path: "/api/v1/api-keys/*" });
  });

  it("calls only paths and methods the endpoint registry declares", () => {
    expect(calls.filter((c) => !declared(c))).toEqual([]);
  });

  it("catches a call to a path the registry does not declare", () => {
    expect(declared({ file: "x", method: "GET", path: "/api/v1/sessions/*/nonexistent" })).toBe(false);
    expect(declared({ file: "x", method: "PATCH", path: "/api/v1/sessions/*" })).toBe(false);
    expect(declared({ file: "x", method: "GET", path: "/api/v1/sessions/*" })).toBe(true);
  });
});
