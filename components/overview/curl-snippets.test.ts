import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { firstSessionSnippet, readOnlySnippet } from "./curl-snippets";

const URL = "http://127.0.0.1:3000";
const KEY = `bur_${"a".repeat(43)}`;

/** Shell variables the snippet reads, in order, and the ones it sets before that. */
function variablesUsedBeforeSet(snippet: string): string[] {
  const set = new Set<string>();
  const early: string[] = [];
  for (const line of snippet.split("\n")) {
    if (line.startsWith("#")) continue;
    for (const [, name] of line.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)) {
      const checked = new RegExp(`\\$\\{${name}:\\?`).test(line);
      if (!set.has(name) && !checked) early.push(name);
    }
    const assigned = /^(?:export )?([A-Z_][A-Z0-9_]*)=/.exec(line) ?? /\$\{([A-Z_][A-Z0-9_]*):\?/.exec(line);
    if (assigned) set.add(assigned[1]);
  }
  return early;
}

describe("the Overview's curl snippets", () => {
  for (const [name, build] of [["first session", firstSessionSnippet], ["read-only", readOnlySnippet]] as const) {
    it(`${name}: parses as shell and defines every variable before use, with a key or without`, () => {
      for (const key of [KEY, null]) {
        const snippet = build(URL, key);
        execFileSync("bash", ["-n"], { input: snippet });
        expect(variablesUsedBeforeSet(snippet)).toEqual([]);
        expect(snippet).toContain(`export BURROW_URL='${URL}'`);
        expect(snippet.includes(KEY)).toBe(key !== null);
      }
    });
  }

  it("without a key, stops before any request and says how to get one", () => {
    const run = spawnSync("/bin/bash", ["-c", firstSessionSnippet(URL, null)], { env: { PATH: "/nonexistent" } as unknown as NodeJS.ProcessEnv, encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("create a key under API keys");
  });

  it("creates, runs `echo hello` and terminates", () => {
    const s = firstSessionSnippet(URL, KEY);
    expect(s).toMatch(/"\$BURROW_URL\/api\/v1\/sessions" .*\n.*"template":"base"/);
    expect(s).toContain(`'{"command":["echo","hello"]}'`);
    expect(s).toContain(`-X DELETE "$BURROW_URL/api/v1/sessions/$SESSION"`);
  });

  it("quotes a URL or key with a quote in it", () => {
    const s = firstSessionSnippet("http://x/'a", KEY);
    const out = execFileSync("bash", ["-c", `${s.split("\n")[0]}; printf %s "$BURROW_URL"`], { encoding: "utf8" });
    expect(out).toBe("http://x/'a");
  });
});
