// `npm run bench -- console-click` (root and runc needed): the time from a click on the session
// page's Pause or Resume button to the new state on screen, in Debian's Chromium against the
// production server and a real runner, next to the API's own answer time for the same request.
//
// Measured in the page (performance.now(), one clock): the click is dispatched from page script;
// a MutationObserver sees the state badge change to the asked-for state, and the time is taken in
// the next animation frame (when it is painted). The POST's Resource Timing entry gives the API's
// answer time (startTime → responseEnd, as the browser saw it). The runner's commit of the
// transition (the timeline event's `at`, same host clock) against the moment it showed gives the
// stream's share: commit → on screen. 20 pauses and 20 resumes, alternating; p50 of each.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { createJsonClient } from "./lib/json-client";
import type { Cleanup } from "./lib/lifecycle";
import { runInfo, writeResult } from "./lib/results";
import { startBenchRunner, type BenchRunner } from "./lib/runner";
import { roundSummary, summarize } from "./lib/stats";

type Log = (msg: string) => void;
export type ConsoleClickTarget = { serverUrl: string; databaseUrl: string; apiKey: string; tenant: string; runnerSecret: string };

const CLICKS_PER_ACTION = 20;
const WAIT_MS = 30_000;
/** The user bootstrapTenant() makes (bench/lib/database.ts). */
const credentials = (tenant: string) => ({ email: `${tenant}@bench.invalid`, password: "bench-password-0123" });

type Click = { action: "pause" | "resume"; clickToScreenMs: number; apiAnswerMs: number; clickToAnswerMs: number; commitToScreenMs: number | null };

/** One click, measured in the page. Resolves when the state badge shows `to` (painted). */
async function click(page: Page, action: "pause" | "resume", to: string): Promise<Omit<Click, "commitToScreenMs"> & { shownEpochMs: number }> {
  return page.evaluate(async ({ action, to, waitMs }) => {
    const label = action === "pause" ? "Pause" : "Resume";
    const header = document.querySelector('[data-testid="session-header"]')!;
    const button = [...header.querySelectorAll("button")].find((b) => b.textContent?.trim() === label);
    if (!button) throw new Error(`no ${label} button`);
    const badge = () => header.querySelector('[data-testid="session-state"]')!;
    performance.clearResourceTimings();
    const shown = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the state did not become ${to} in ${waitMs} ms`)), waitMs);
      const observer = new MutationObserver(() => {
        if (badge().textContent !== to) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now()));
      });
      observer.observe(header, { subtree: true, childList: true, characterData: true });
    });
    const clickAt = performance.now();
    button.click();
    const shownAt = await shown;
    const entry = performance.getEntriesByType("resource").find((e) => e.name.endsWith(`/${action}`)) as PerformanceResourceTiming | undefined;
    if (!entry) throw new Error(`no resource timing for the ${action} request`);
    return {
      action, clickToScreenMs: shownAt - clickAt, apiAnswerMs: entry.responseEnd - entry.startTime, clickToAnswerMs: entry.responseEnd - clickAt,
      shownEpochMs: performance.timeOrigin + shownAt,
    };
  }, { action, to, waitMs: WAIT_MS });
}

export async function benchConsoleClick(target: ConsoleClickTarget, log: Log, cleanup: Cleanup) {
  const runId = randomBytes(3).toString("hex");
  const runnerDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-click-"));
  const http = createJsonClient({ baseUrl: target.serverUrl, apiKey: target.apiKey, maxSockets: 4, timeoutMs: 60_000 });
  const info = runInfo();
  const failures: string[] = [];
  const clicks: Click[] = [];
  let runner: BenchRunner | null = null;
  let sessionId: string | null = null;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  const stopAll = async () => {
    await browser?.close().catch(() => {});
    browser = null;
    if (sessionId) await http.ok("DELETE", `/api/v1/sessions/${sessionId}`).catch(() => {});
    for (let i = 0; sessionId && i < 100; i++) {
      const s = await http.ok<{ state: string }>("GET", `/api/v1/sessions/${sessionId}`).catch(() => ({ state: "terminated" }));
      if (s.state === "terminated") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    sessionId = null;
    await runner?.stop();
    runner = null;
    http.close();
    rmSync(runnerDir, { recursive: true, force: true });
  };
  cleanup.add("console-click bench", stopAll);
  try {
    const pool = `bench-click-${runId}`;
    runner = await startBenchRunner({
      name: `bench-click-${runId}`, pool, api: http,
      env: { DATABASE_URL: target.databaseUrl, DATA_DIR: runnerDir, RUNNER_SECRET: target.runnerSecret },
    });
    const s = await http.ok<{ id: string }>("POST", "/api/v1/sessions", { pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } });
    sessionId = s.id;

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
    const page = await browser.newPage({ baseURL: target.serverUrl, viewport: { width: 1440, height: 900 } });
    // tsx compiles with esbuild's keepNames, so the function given to page.evaluate calls a
    // `__name` helper that exists only in Node; the page needs its own (identity) copy.
    await page.addInitScript("globalThis.__name = (fn) => fn;");
    const { email, password } = credentials(target.tenant);
    log("signing in and opening the session page");
    await page.goto("/signin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/t/"), { timeout: WAIT_MS });
    await page.goto(`/t/${target.tenant}/sessions/${s.id}`);
    await page.getByTestId("session-state").filter({ hasText: /^running$/ }).waitFor({ timeout: 120_000 });
    await page.getByTestId("session-live").waitFor({ timeout: WAIT_MS });

    log(`${CLICKS_PER_ACTION} × (Pause, Resume)`);
    for (let i = 0; i < CLICKS_PER_ACTION * 2; i++) {
      const action = i % 2 === 0 ? "pause" : "resume";
      const to = action === "pause" ? "paused" : "running";
      // Wait for the Resume/Pause button the new state offers (the answer re-renders the actions).
      await page.getByTestId("session-header").getByRole("button", { name: action === "pause" ? "Pause" : "Resume", exact: true }).waitFor({ timeout: WAIT_MS });
      const c = await click(page, action, to);
      const events = await http.ok<{ data: { toState: string; at: string }[] }>("GET", `/api/v1/sessions/${s.id}/events`);
      const committed = events.data.filter((e) => e.toState === to).at(-1);
      clicks.push({
        action, clickToScreenMs: c.clickToScreenMs, apiAnswerMs: c.apiAnswerMs, clickToAnswerMs: c.clickToAnswerMs,
        commitToScreenMs: committed ? c.shownEpochMs - Date.parse(committed.at) : null,
      });
    }
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await stopAll();
  }

  const of = (action: Click["action"] | null, pick: (c: Click) => number | null) =>
    roundSummary(summarize(clicks.filter((c) => action === null || c.action === action).map(pick).filter((x): x is number => x !== null)), 1);
  const figures = (action: Click["action"] | null) => ({
    clickToScreenMs: of(action, (c) => c.clickToScreenMs),
    apiAnswerMs: of(action, (c) => c.apiAnswerMs),
    clickToAnswerMs: of(action, (c) => c.clickToAnswerMs),
    commitToScreenMs: of(action, (c) => c.commitToScreenMs),
  });
  const result = {
    name: "console-click",
    ...info,
    what: {
      clickToScreenMs: "click (dispatched in the page) → the state badge shows the new state (the runner has made the change), next animation frame",
      apiAnswerMs: "the POST /pause or /resume as the browser timed it (Resource Timing startTime → responseEnd): the API's own answer",
      clickToAnswerMs: "click → the POST's answer received",
      commitToScreenMs: "the runner's commit of the transition (timeline event time, same host clock) → on screen: the live stream's share",
      setup: "next start (production build), a runner worker with runc, Debian Chromium headless, 1440×900, signed in as the tenant's owner",
    },
    parameters: { clicksPerAction: CLICKS_PER_ACTION },
    all: figures(null),
    pause: figures("pause"),
    resume: figures("resume"),
    samples: clicks.map((c) => ({ ...c, clickToScreenMs: Math.round(c.clickToScreenMs * 10) / 10, apiAnswerMs: Math.round(c.apiAnswerMs * 10) / 10 })),
    loadAverageAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
    warnings: info.loadAverage[0] > info.cpuCount / 2 ? [`the machine was busy before the run (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs); absolute figures are noisy`] : [],
    failures,
    valid: failures.length === 0 && clicks.length === CLICKS_PER_ACTION * 2,
  };
  const file = writeResult("console-click", result);
  const line = (name: string, f: ReturnType<typeof figures>) =>
    `  ${name}: click → new state on screen p50 ${f.clickToScreenMs.p50} ms; the API's answer p50 ${f.apiAnswerMs.p50} ms (click → answer ${f.clickToAnswerMs.p50} ms); runner commit → screen p50 ${f.commitToScreenMs.p50} ms`;
  const lines = [line("pause", result.pause), line("resume", result.resume)];
  return { result, file, lines };
}
