// Issue 10's "done when", walked as one story with real components: an agent in a sandbox installs
// a package from the test world's package server (pkgs.test), is refused a denied domain, serves
// the package's web app, which real Chromium opens through the preview URL, sleeps by the idle
// policy, wakes on the browser's next request, and finds its egress on the bill. A real runner
// builds the sandbox network in the world's runner-host namespace, and the real preview proxy and
// Chromium run in that namespace. The runner's periodic counter reading is off (10 min): the bytes
// on the bill are the final reading taken as the sandbox's network is removed at hibernation.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import * as networkEventsRoute from "@/app/api/v1/sessions/[id]/network/events/route";
import { db } from "@/lib/db/client";
import { applyIdlePolicy } from "@/lib/sessions/apply-idle-policy";
import { call, createTestTenant, type TestTenant } from "../helpers";
import { removeDataDir, startRunner, terminateAllSessions, waitForSessionState, type TestRunner } from "../runner-process";
import { waitFor } from "../wait-for";
import { launchChromiumIn } from "./chromium-in-namespace";
import { billedEgress, networkSessionCalls } from "./network-session-calls";
import { createNetworkWorld, INTERNET, type NetworkWorld } from "./network-world";
import { proxyRequest } from "./preview-client";
import { startPreviewProxy, type PreviewProxyProcess } from "./preview-proxy-process";
import { networkGone, vethSentIpBytes } from "./sandbox-veth";

const PACKAGE = "hello-web-1.0.tar.gz";
const ASSET_BYTES = 4 * 1024 * 1024; // random, so the tarball stays about that size
const HIBERNATE_AFTER_SECONDS = 3;

// The package's web app: node:http only, serving the package's public/ directory.
const SERVER = `import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
const root = path.join(import.meta.dirname, "public");
http.createServer(async (req, res) => {
  const name = req.url === "/" ? "index.html" : path.basename(req.url.split("?")[0]);
  try {
    const body = await readFile(path.join(root, name));
    res.writeHead(200, { "content-type": name.endsWith(".html") ? "text/html" : "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end("not found\\n");
  }
}).listen(Number(process.argv[2] ?? 8000), "0.0.0.0");
`;
const PAGE = `<!doctype html><title>hello-web</title><h1>hello-web 1.0</h1><p>installed from pkgs.test</p>`;

let world: NetworkWorld;
let runner: TestRunner;
let proxy: PreviewProxyProcess;
let tenant: TestTenant;
let browser: { browser: Browser; close: () => Promise<void> } | undefined;
let pkg: { bytes: number; sha256: string };

/** hello-web-1.0.tar.gz (hello-web/server.mjs, public/index.html, public/app.wasm) and SHA256SUMS under /hello-web/1.0/ of the world's files. */
function publishPackage(files: string): { bytes: number; sha256: string } {
  const src = mkdtempSync(path.join(os.tmpdir(), "burrow-pkg-"));
  try {
    mkdirSync(path.join(src, "hello-web", "public"), { recursive: true });
    writeFileSync(path.join(src, "hello-web", "server.mjs"), SERVER);
    writeFileSync(path.join(src, "hello-web", "public", "index.html"), PAGE);
    writeFileSync(path.join(src, "hello-web", "public", "app.wasm"), randomBytes(ASSET_BYTES));
    const out = path.join(files, "hello-web", "1.0");
    mkdirSync(out, { recursive: true });
    execFileSync("tar", ["-czf", path.join(out, PACKAGE), "-C", src, "hello-web"]);
    const tarball = readFileSync(path.join(out, PACKAGE));
    const sha256 = createHash("sha256").update(tarball).digest("hex");
    writeFileSync(path.join(out, "SHA256SUMS"), `${sha256}  ${PACKAGE}\n`);
    return { bytes: tarball.length, sha256 };
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  world = createNetworkWorld();
  pkg = publishPackage(world.files);
  runner = await startRunner({ env: { SANDBOX_NET_HOST_NETNS: world.host, SANDBOX_DNS_UPSTREAM: INTERNET.dns, NETWORK_METER_INTERVAL_MS: "600000" } });
  // A longer wake timeout than the default 30 s: other suites load this 2-CPU machine.
  proxy = await startPreviewProxy(world.host, { wakeTimeoutMs: 60_000 });
  tenant = await createTestTenant();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (tenant) await terminateAllSessions(tenant);
  await proxy?.stop();
  await runner?.stop();
  if (runner) removeDataDir(runner.dataDir);
  world?.remove();
}, 90_000);

const { create, sh, previewToken } = networkSessionCalls(() => ({ key: tenant.key, pool: runner.pool }), 120_000);
type Ev = { kind: string; verdict: string | null; rule: string | null; entry: string | null; name: string | null; destination: string | null; port: number | null };
const networkEvents = async (id: string) => {
  const res = await call(networkEventsRoute.GET, { path: `/api/v1/sessions/${id}/network/events?limit=100`, key: tenant.key, params: { id } });
  expect(res.status).toBe(200);
  return res.body as { data: Ev[]; bytesOut: string; bytesIn: string };
};
const has = (list: Ev[], want: Partial<Ev>) => list.some((e) => Object.entries(want).every(([k, v]) => e[k as keyof Ev] === v));
const session = (id: string) => db().session.findUniqueOrThrow({ where: { id } });

describe("an agent's session on the network, end to end (issue 10's done-when)", () => {
  let id: string;
  let page: Page;
  let appUrl: string;
  let sentAfterInstall: number;

  it("creates a session that may reach pkgs.test only, and sleeps after 3 idle seconds", async () => {
    const res = await create({
      network: { egress: "deny", allowOut: ["pkgs.test"], denyOut: ["denied.test"] },
      idle: { pauseAfterSeconds: null, hibernateAfterSeconds: HIBERNATE_AFTER_SECONDS },
    });
    expect(res.status).toBe(201);
    id = res.body.id;
    await waitForSessionState(runner, id, "running", 60_000);
  }, 90_000);

  it("installs a package from the package server: downloaded, checksum verified, unpacked into /workspace", async () => {
    const started = Date.now();
    const r = await sh(id, [
      "set -e", "cd /workspace", "base=http://pkgs.test/hello-web/1.0",
      `curl -fsS -m 60 -O "$base/${PACKAGE}" -O "$base/SHA256SUMS"`,
      "sha256sum -c SHA256SUMS", `tar -xzf ${PACKAGE}`,
      "stat -c '%n %s' hello-web/server.mjs hello-web/public/index.html hello-web/public/app.wasm",
    ].join("\n"));
    const wallMs = Date.now() - started;
    console.log(`package install (${pkg.bytes} bytes: download, sha256sum -c, tar -x): ${r.durationMs} ms in the sandbox, ${wallMs} ms through the exec route`);
    expect(r, r.stderr).toMatchObject({ exitCode: 0 });
    expect(r.stdout).toContain(`${PACKAGE}: OK`);
    expect(r.stdout).toContain(`hello-web/server.mjs ${Buffer.byteLength(SERVER)}`);
    expect(r.stdout).toContain(`hello-web/public/app.wasm ${ASSET_BYTES}`);
    // What the sandbox has sent so far (the requests and the download's ACKs), for the bill below.
    sentAfterInstall = vethSentIpBytes(world, id);
  }, 150_000);

  it("is refused a denied domain and a domain not allowed, at once, with the rule in the flight recorder", async () => {
    // Names first (REFUSED by the resolver: curl 6), then the denied domain's address (a reset: curl 7).
    const r = await sh(id, [`http://denied.test/`, `http://other.test/`, `http://${INTERNET.denied}/`].map((u) =>
      `s=$(date +%s%N); curl -sS -m 20 -o /dev/null ${u} 2>/dev/null; rc=$?; echo "${u} $rc $(( ($(date +%s%N) - s) / 1000000 ))"`).join("\n"));
    const lines = r.stdout.trim().split("\n").map((l) => l.split(" "));
    console.log(`refusals (url, curl exit code, ms): ${lines.map((l) => l.join(" ")).join("; ")}`);
    expect(lines.map((l) => [l[0], l[1]])).toEqual([["http://denied.test/", "6"], ["http://other.test/", "6"], [`http://${INTERNET.denied}/`, "7"]]);

    const want: Partial<Ev>[] = [
      { kind: "dns", name: "pkgs.test", verdict: "allowed", rule: "allow_out", entry: "pkgs.test" },
      { kind: "connection", destination: INTERNET.pkgs, port: 80, verdict: "allowed", rule: "allow_out", entry: "pkgs.test" },
      { kind: "dns", name: "denied.test", verdict: "denied", rule: "deny_out", entry: "denied.test" },
      { kind: "dns", name: "other.test", verdict: "denied", rule: "egress", entry: null },
      { kind: "connection", destination: INTERNET.denied, port: 80, verdict: "denied", rule: "deny_out", entry: "denied.test" },
    ];
    await waitFor(async () => {
      const list = (await networkEvents(id)).data;
      return want.every((w) => has(list, w)) ? list : null;
    }, { what: "the install's and the refusals' events in the flight recorder", timeoutMs: 30_000, intervalMs: 300 });
  }, 90_000);

  it("serves the package's web app (started by the on-start hook), and Chromium opens it through the preview URL", async () => {
    await sh(id, [
      "mkdir -p /workspace/.burrow",
      "printf '#!/bin/sh\\nexec node /workspace/hello-web/server.mjs 8000\\n' > /workspace/.burrow/on-start && chmod +x /workspace/.burrow/on-start",
      "nohup /workspace/.burrow/on-start >>/workspace/.burrow/on-start.log 2>&1 </dev/null &",
    ].join("\n"));
    const token = await previewToken(id);
    await waitFor(async () => (await proxyRequest(proxy.socketPath, proxy.hostOf(8000, id), "/", { "x-burrow-preview-token": token })).status === 200, {
      what: "the app answering through the proxy", timeoutMs: 30_000, intervalMs: 200,
    });
    browser = await launchChromiumIn(world.host);
    page = await browser.browser.newPage();
    page.setDefaultNavigationTimeout(90_000);
    appUrl = `http://${proxy.hostOf(8000, id)}/`;
    const first = await page.goto(`${appUrl}?burrow_preview_token=${token}`);
    expect(first?.status()).toBe(200);
    expect(page.url()).toBe(appUrl); // the token exchanged for the host's cookie
    await expect.poll(() => page.textContent("h1")).toBe("hello-web 1.0");
  }, 150_000);

  it("sleeps: the idle policy hibernates it once nothing has happened for 3 s", async () => {
    await waitFor(async () => {
      await applyIdlePolicy({ tenantIds: [tenant.id] });
      return (await session(id)).desiredState === "hibernated";
    }, { what: "the idle policy to hibernate the session", timeoutMs: 60_000, intervalMs: 500 });
    expect(await session(id)).toMatchObject({ desiredState: "hibernated", desiredCause: "idle" });
    await waitForSessionState(runner, id, "hibernated", 120_000);
    await networkGone(id); // the final counter reading is recorded before the network goes
    expect((await session(id)).sandboxAddress).toBeNull();
  }, 200_000);

  it("wakes on the browser's next request: the page loads with the app's content, and the session runs again", async () => {
    const started = Date.now();
    const res = await page.reload();
    const wallMs = Date.now() - started;
    const firstByteMs = await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).responseStart);
    console.log(`wake through Chromium: first byte ${Math.round(firstByteMs)} ms after the reload began, page loaded in ${wallMs} ms`);
    if (res?.status() !== 200) console.log(`proxy output:\n${proxy.output().slice(-2000)}\nrunner output:\n${runner.output().slice(-3000)}`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.textContent("h1")).toBe("hello-web 1.0");
    const row = await session(id);
    expect(row.state).toBe("running");
    expect(row.sandboxAddress).toMatch(/^10\.88\./);
    const audit = await db().auditEvent.findFirst({ where: { tenantId: tenant.id, action: "session.resumed", targetId: id }, orderBy: { createdAt: "desc" } });
    expect(audit?.metadata).toEqual({ from: "hibernated", wake: true });
    expect(audit?.actorLabel).toContain("preview proxy (preview token pvt_");
  }, 150_000);

  it("has its egress on the bill: network_egress_gib is the bytes it sent, and the download is in the bytes it received", async () => {
    const { bytesOut, bytesIn } = await networkEvents(id);
    const out = Number(bytesOut);
    const inn = Number(bytesIn);
    console.log(`egress metered ${out} bytes out (the veth saw ${sentAfterInstall} IP bytes sent after the install), ${inn} bytes in; the package is ${pkg.bytes} bytes`);
    // Sent: the requests and the download's ACKs, as the veth saw them (less the lookups to the
    // runner's resolver and the multicast it refused, which are not egress).
    expect(out).toBeGreaterThan(0);
    expect(out).toBeLessThanOrEqual(sentAfterInstall + 1024);
    expect(out).toBeGreaterThanOrEqual(sentAfterInstall - 4096);
    // Received: the package, SHA256SUMS, HTTP and TCP/IP headers; nothing of the refusals.
    expect(inn).toBeGreaterThanOrEqual(pkg.bytes);
    expect(inn).toBeLessThanOrEqual(1.25 * pkg.bytes + 16 * 1024);

    const { microGib: micro } = await billedEgress(tenant, id);
    console.log(`usage API: network_egress_gib ${Number(micro) / 1e6} for the session (${out} bytes ÷ 2^30)`);
    expect(micro).toBeGreaterThan(0n);
    expect(micro).toBe((BigInt(out) * 1_000_000n * 2n + (1n << 30n)) / (2n << 30n)); // bytes ÷ 2^30, to the micro-GiB, rounded half up
  }, 90_000);
});
