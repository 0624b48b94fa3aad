// A route cannot ship outside the contract: every method a route file exports is declared in the
// endpoint registry (which the OpenAPI document and the generated security suite are built from),
// every declared path+method has a route file exporting it, and routes without credentials are
// exactly the public list, each with its reason.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Endpoint } from "../lib/api/endpoint";
import { endpoints } from "../lib/api/endpoints";
import { PUBLIC_ROUTES } from "../lib/api/public-routes";
import { exportedMethods, routePathOf, scanRouteFiles } from "./route-files";

const appDir = path.resolve(import.meta.dirname, "..", "app");
const registry = Object.values(endpoints as Record<string, Endpoint>).map((e) => `${e.method} ${e.path}`);
const routes = scanRouteFiles(appDir).map((r) => `${r.method} ${r.path}`);
const publicRoutes = PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`);

describe("route files and the endpoint registry", () => {
  it("reads every export form Next accepts", () => {
    const src = [
      "export const GET = withApi(x, () => 1);",
      "export async function POST(req: Request) {}",
      "export function DELETE() {}",
      "export const { PUT, PATCH: PATCH } = handlers;",
      "export const dynamic = 'force-dynamic'; const HEAD = 1; export { HEAD };",
    ].join("\n");
    expect(exportedMethods(src)).toEqual(["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"]);
    expect(routePathOf(path.join("api", "v1", "sessions", "[id]", "terminals", "[terminalId]"))).toBe("/api/v1/sessions/{id}/terminals/{terminalId}");
    expect(routePathOf(path.join("api", "auth", "[...nextauth]"))).toBe("/api/auth/{...nextauth}");
  });

  it("finds the route files (the scan itself works)", () => {
    expect(routes).toContain("PUT /api/v1/sessions/{id}/files");
    expect(routes.length).toBeGreaterThan(50);
  });

  it("every exported method is declared in the registry or listed as public", () => {
    const undeclared = routes.filter((r) => !registry.includes(r) && !publicRoutes.includes(r));
    expect(undeclared, "declare these in lib/api/endpoints.ts (or, if public by design, in lib/api/public-routes.ts)").toEqual([]);
  });

  it("every declared path and method has a route file that exports it", () => {
    expect(registry.filter((r) => !routes.includes(r)), "no route file exports these").toEqual([]);
    expect(new Set(registry).size, "a path+method is declared twice").toBe(registry.length);
  });

  it("the public list names routes that exist, and every endpoint without credentials is on it", () => {
    expect(publicRoutes.filter((r) => !routes.includes(r)), "public routes that no route file exports").toEqual([]);
    const declaredPublic = Object.values(endpoints as Record<string, Endpoint>).filter((e) => e.auth === "none").map((e) => `${e.method} ${e.path}`);
    expect(declaredPublic.filter((r) => !publicRoutes.includes(r)), "auth: \"none\" endpoints missing from lib/api/public-routes.ts").toEqual([]);
    const listedButGuarded = Object.values(endpoints as Record<string, Endpoint>)
      .filter((e) => e.auth !== "none" && publicRoutes.includes(`${e.method} ${e.path}`));
    expect(listedButGuarded.map((e) => `${e.method} ${e.path}`), "listed as public but the registry asks for credentials").toEqual([]);
    for (const r of PUBLIC_ROUTES) expect(r.reason.length, `${r.method} ${r.path} needs a reason`).toBeGreaterThan(20);
  });
});
