// Benchmark `console-js`: the JavaScript a browser downloads on the first load of each console page,
// gzipped, read from the production build (.next) without starting anything: `npm run bench -- console-js`.
//
// A page's first-load JS is the root files every App Router page loads (build-manifest.json's
// rootMainFiles) plus the client chunks of the page and of each layout above it, which Next lists
// per page in .next/server/app/<route>/page_client-reference-manifest.js (entryJSFiles: one list
// per entry of the page's tree; the entries shown only instead of the page, like not-found, are
// left out). Each distinct file is gzipped once (level 9, like a CDN's default
// is at most) and summed. The goal (issue 9): the largest console page under 250 KiB.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { runInfo, writeResult } from "./lib/results";

export const CONSOLE_JS_GOAL_BYTES = 250 * 1024;

export type PageJs = { route: string; files: number; rawBytes: number; gzipBytes: number; largestFiles: { file: string; gzipBytes: number }[] };

/** Every page_client-reference-manifest.js under .next/server/app, as [route, file]. */
function pageManifests(appDir: string, base = ""): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of readdirSync(appDir, { withFileTypes: true })) {
    const full = path.join(appDir, entry.name);
    if (entry.isDirectory()) out.push(...pageManifests(full, `${base}/${entry.name}`));
    else if (entry.name === "page_client-reference-manifest.js") out.push([base || "/", full]);
  }
  return out;
}

/** Entries rendered only when the page does not (a 404, a crash of the root layout, a 401/403): not part of a page's first load. */
const ONLY_ON_OUTCOME = /\/(not-found|global-error|forbidden|unauthorized)$/;

/** The manifest file assigns globalThis.__RSC_MANIFEST[<entry>] = {...}; run it in a sandbox and read the entry's entryJSFiles. */
function entryJsFiles(manifestFile: string): string[] {
  const sandbox: { globalThis?: unknown; self?: unknown; __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
  sandbox.globalThis = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(readFileSync(manifestFile, "utf8"), sandbox, { timeout: 5000 });
  const files = new Set<string>();
  for (const manifest of Object.values(sandbox.__RSC_MANIFEST ?? {})) {
    for (const [entry, list] of Object.entries(manifest.entryJSFiles ?? {})) {
      if (ONLY_ON_OUTCOME.test(entry)) continue;
      for (const f of list) if (f.endsWith(".js")) files.add(f);
    }
  }
  return [...files];
}

export function measureConsoleJs(nextDir = path.resolve(process.cwd(), ".next")): { rootFiles: string[]; pages: PageJs[] } {
  const buildManifest = JSON.parse(readFileSync(path.join(nextDir, "build-manifest.json"), "utf8")) as { rootMainFiles?: string[] };
  const rootFiles = (buildManifest.rootMainFiles ?? []).filter((f) => f.endsWith(".js"));
  const gzipCache = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = (file: string) => {
    let s = gzipCache.get(file);
    if (!s) {
      // Paths in the manifests are relative to .next ("static/chunks/…"), sometimes with a leading "/_next/".
      const bytes = readFileSync(path.join(nextDir, file.replace(/^\/?_next\//, "")));
      s = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      gzipCache.set(file, s);
    }
    return s;
  };
  const appDir = path.join(nextDir, "server", "app");
  const pages = pageManifests(appDir)
    .map(([route, manifest]): PageJs => {
      const files = [...new Set([...rootFiles, ...entryJsFiles(manifest)])];
      const sized = files.map((file) => ({ file, ...sizeOf(file) }));
      return {
        route,
        files: files.length,
        rawBytes: sized.reduce((n, f) => n + f.raw, 0),
        gzipBytes: sized.reduce((n, f) => n + f.gzip, 0),
        largestFiles: sized.sort((a, b) => b.gzip - a.gzip).slice(0, 5).map((f) => ({ file: f.file, gzipBytes: f.gzip })),
      };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  return { rootFiles, pages };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function benchConsoleJs(target: { nextBuildId: string }, log: (msg: string) => void) {
  const nextDir = path.resolve(process.cwd(), ".next");
  if (!existsSync(path.join(nextDir, "BUILD_ID"))) throw new Error("no production build in .next: run `npx next build` first");
  log("measuring first-load JS per page from .next");
  const { rootFiles, pages } = measureConsoleJs(nextDir);
  const consolePages = pages.filter((p) => p.route.startsWith("/(console)"));
  const largest = consolePages[0] ?? null;
  const failures: string[] = [];
  const warnings: string[] = [];
  if (!largest) failures.push("no console page found under .next/server/app/(console)");
  else if (largest.gzipBytes > CONSOLE_JS_GOAL_BYTES) warnings.push(`the largest console page, ${largest.route}, loads ${kib(largest.gzipBytes)} gzipped: over the ${kib(CONSOLE_JS_GOAL_BYTES)} goal`);
  const result = {
    name: "console-js",
    ...runInfo(),
    nextBuildId: target.nextBuildId || readFileSync(path.join(nextDir, "BUILD_ID"), "utf8").trim(),
    parameters: { source: ".next build-manifest.json rootMainFiles + each page's page_client-reference-manifest.js entryJSFiles", gzip: "zlib level 9, per distinct file" },
    goalBytes: CONSOLE_JS_GOAL_BYTES,
    rootFiles,
    largestConsolePage: largest,
    pages,
    valid: failures.length === 0,
    warnings,
    failures,
  };
  const file = writeResult("console-js", result);
  const lines = [
    `  largest console page: ${largest ? `${largest.route} ${kib(largest.gzipBytes)} gzipped (${kib(largest.rawBytes)} raw, ${largest.files} files)` : "none"}; goal ${kib(CONSOLE_JS_GOAL_BYTES)}`,
    `  shared by every page (rootMainFiles): ${kib(rootFiles.reduce((n, f) => n + gzipSync(readFileSync(path.join(nextDir, f))).length, 0))} gzipped`,
    ...pages.slice(0, 12).map((p) => `  ${kib(p.gzipBytes).padStart(10)}  ${p.route}`),
    ...(largest ? [`  biggest files of ${largest.route}: ${largest.largestFiles.map((f) => `${path.basename(f.file)} ${kib(f.gzipBytes)}`).join(", ")}`] : []),
  ];
  return { result, file, lines };
}
