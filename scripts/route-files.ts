// The HTTP methods each route file under app/api exports, read from the source text (no import, so
// no database or env is needed): `export const GET = …`, `export const { GET, POST } = …` and
// `export [async] function GET(…)`. Folders map to paths as Next maps them: `[id]` is `{id}`,
// `[...slug]` is `{...slug}`, and `(group)` folders are left out.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export type RouteExport = { method: string; path: string; file: string };

export function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  const method = HTTP_METHODS.join("|");
  for (const m of source.matchAll(new RegExp(`export\\s+(?:const|let|var)\\s+(${method})\\b`, "g"))) found.add(m[1]);
  for (const m of source.matchAll(new RegExp(`export\\s+(?:async\\s+)?function\\s+(${method})\\b`, "g"))) found.add(m[1]);
  for (const m of source.matchAll(/export\s+(?:const|let|var)\s+\{([^}]*)\}/g)) {
    for (const name of m[1].split(",").map((s) => s.trim().split(/\s*:\s*/).pop()!)) {
      if ((HTTP_METHODS as readonly string[]).includes(name)) found.add(name);
    }
  }
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const name of m[1].split(",").map((s) => s.trim().split(/\s+as\s+/).pop()!)) {
      if ((HTTP_METHODS as readonly string[]).includes(name)) found.add(name);
    }
  }
  return [...found].sort();
}

export function routePathOf(relativeDir: string): string {
  const segments = relativeDir.split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
  return `/${segments.map((s) => s.replace(/^\[(.+)\]$/, "{$1}")).join("/")}`;
}

/** Every method of every route.ts under `root` (e.g. the repository's app/api), as API paths. */
export function scanRouteFiles(appDir: string, under = "api"): RouteExport[] {
  const out: RouteExport[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "route.ts") {
        const routePath = routePathOf(path.relative(appDir, dir));
        for (const method of exportedMethods(readFileSync(full, "utf8"))) out.push({ method, path: routePath, file: path.relative(appDir, full) });
      }
    }
  };
  walk(path.join(appDir, under));
  return out;
}
