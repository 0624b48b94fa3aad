// Templates imported from image archives. A tiny image is built here without any network (umoci and
// the host's static busybox), sent as an OCI layout tarball and as `docker save` output (made by
// skopeo), and a session from each runs on a real runner: the image's files and Env are there, the
// host's /usr is not. Bad uploads are refused with no row and no directory left behind.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as execRoute from "@/app/api/v1/sessions/[id]/exec/route";
import * as sessionsRoute from "@/app/api/v1/sessions/route";
import * as importRoute from "@/app/api/v1/templates/import/route";
import * as templateRoute from "@/app/api/v1/templates/[id]/route";
import { db } from "@/lib/db/client";
import { templatesDataDir } from "@/lib/templates/import-image";
import { call, createKey, createTestTenant, type TestTenant } from "./helpers";
import { buildBusyboxOciLayout, tarOciLayout } from "./oci-images";
import { removeDataDir, startRunner, terminateAllSessions, type TestRunner, waitForSessionState } from "./runner-process";

let runner: TestRunner;
let t: TestTenant;
let work: string;
const archives = { oci: "", docker: "", noShell: "", plain: "", badManifest: "", gzip: "" };

const sh = (cmd: string, args: string[], cwd = work) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

/** An OCI layout L with `latest` (test/oci-images.ts: busybox, /bin/marker, Env FOO=bar) and `empty` (no layers). */
function buildImages() {
  buildBusyboxOciLayout(work, "L");
  sh("skopeo", ["--insecure-policy", "copy", "--quiet", "oci:L:latest", `docker-archive:${path.join(work, "docker.tar")}:img:latest`]);
  tarOciLayout(work, "L", "oci.tar");
  sh("umoci", ["init", "--layout", "E"]);
  sh("umoci", ["new", "--image", "E:latest"]);
  sh("tar", ["-C", "E", "-cf", "noshell.tar", "."]);
  fs.mkdirSync(path.join(work, "P"));
  fs.writeFileSync(path.join(work, "P/hello.txt"), "not an image\n");
  sh("tar", ["-C", "P", "-cf", "plain.tar", "."]);
  fs.writeFileSync(path.join(work, "P/manifest.json"), "{}");
  sh("tar", ["-C", "P", "-cf", "bad-manifest.tar", "."]);
  sh("gzip", ["-k", "oci.tar"]);
  Object.assign(archives, {
    oci: "oci.tar", docker: "docker.tar", noShell: "noshell.tar", plain: "plain.tar", badManifest: "bad-manifest.tar", gzip: "oci.tar.gz",
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-import-"));
  buildImages();
  [runner, t] = await Promise.all([startRunner(), createTestTenant()]);
});

afterAll(async () => {
  if (t) await terminateAllSessions(t);
  if (runner) {
    await runner.stop();
    removeDataDir(runner.dataDir);
  }
  if (t) {
    // Deleting a template keeps its files (sessions may still use them): remove them here.
    for (const tpl of await db().template.findMany({ where: { tenantId: t.id } })) {
      const rootfs = tpl.rootfs as { kind: string; path?: string };
      if (rootfs.kind === "dir" && rootfs.path) fs.rmSync(path.dirname(rootfs.path), { recursive: true, force: true });
      await call(templateRoute.DELETE, { method: "DELETE", path: `/api/v1/templates/${tpl.id}`, key: t.key, params: { id: tpl.id } });
    }
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function importImage(opts: { name: string; body: Buffer | string; key?: string; contentType?: string; headers?: Record<string, string> }) {
  const file = typeof opts.body === "string" ? fs.readFileSync(path.join(work, opts.body)) : opts.body;
  const headers = new Headers({ "content-type": opts.contentType ?? "application/x-tar", ...opts.headers });
  if (opts.key ?? t.key) headers.set("authorization", `Bearer ${opts.key ?? t.key}`);
  const req = new Request(`http://127.0.0.1/api/v1/templates/import?name=${encodeURIComponent(opts.name)}`, { method: "POST", headers, body: new Uint8Array(file) });
  const res = await importRoute.POST(req, { params: Promise.resolve({}) });
  return { status: res.status, body: await res.json() };
}

const waitForState = (id: string, state: string, timeoutMs?: number) => waitForSessionState(runner, id, state, timeoutMs);

const exec = (id: string, command: string[]) =>
  call(execRoute.POST, { method: "POST", path: `/api/v1/sessions/${id}/exec`, key: t.key, params: { id }, body: { command } });

const templateDirs = () => (fs.existsSync(templatesDataDir()) ? fs.readdirSync(templatesDataDir()) : []);

async function expectRunsTheImage(template: string) {
  const created = await call(sessionsRoute.POST, {
    method: "POST", path: "/api/v1/sessions", key: t.key,
    body: { template, pool: runner.pool, idle: { pauseAfterSeconds: null, hibernateAfterSeconds: null } },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForState(id, "running");
  expect((await exec(id, ["cat", "/bin/marker"])).body).toMatchObject({ exitCode: 0, stdout: "from-the-image\n" });
  expect((await exec(id, ["sh", "-c", "echo $FOO"])).body.stdout).toBe("bar\n");
  // The image is the whole root: none of the host's /usr, /etc or programs.
  expect((await exec(id, ["sh", "-c", "for p in /usr /etc/passwd /bin/ls; do [ -e $p ] && echo $p; done; echo end"])).body.stdout).toBe("end\n");
  // PID 1 is the host's static exec agent (the image has no `sleep`, and needs no init), and it stays up.
  expect((await exec(id, ["cat", "/proc/1/cmdline"])).body.stdout.split("\0")[0]).toBe("/dev/.burrow/agent");
  expect((await exec(id, ["sh", "-c", "echo written > /workspace/f; cat /workspace/f"])).body.stdout).toBe("written\n");
  const row = await db().session.findUniqueOrThrow({ where: { id } });
  expect(row.state).toBe("running");
}

describe("importing a template from an image archive", () => {
  it("imports an OCI layout tarball: env from the image, files under DATA_DIR/templates, an audit row; a session runs it", async () => {
    const res = await importImage({ name: "busy-oci", body: archives.oci });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "busy-oci", builtIn: false, rootfs: { kind: "dir" }, env: { FOO: "bar" },
      image: { format: "oci-archive", workingDir: "/srv", cmd: ["/bin/sh"], entrypoint: null, skippedEnv: [] },
    });
    expect(res.body.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(res.body.importLog.map((e: { step: string }) => e.step)).toEqual(["upload", "detect", "convert", "config", "unpack", "check", "template"]);
    expect(res.body.importLog[3].message).toContain(res.body.image.digest);
    const row = await db().template.findUniqueOrThrow({ where: { id: res.body.id } });
    const dir = path.join(templatesDataDir(), row.id);
    expect(row.rootfs).toEqual({ kind: "dir", path: path.join(dir, "rootfs") });
    expect(fs.readdirSync(dir)).toEqual(["rootfs"]); // upload and layout removed
    expect(fs.readFileSync(path.join(dir, "rootfs/bin/marker"), "utf8")).toBe("from-the-image\n");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { tenantId: t.id, action: "template.created", targetId: row.id } });
    expect(audit.metadata).toMatchObject({ name: "busy-oci", imported: true, digest: res.body.image.digest, format: "oci-archive" });
    await expectRunsTheImage("busy-oci");
  });

  it("imports `docker save` output and runs it", async () => {
    const res = await importImage({ name: "busy-docker", body: archives.docker, contentType: "application/octet-stream" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "busy-docker", rootfs: { kind: "dir" }, env: { FOO: "bar" }, image: { format: "docker-archive" } });
    await expectRunsTheImage(res.body.id);
  });

  it("refuses bad uploads with 400, leaving no row and no directory", async () => {
    const before = templateDirs().length;
    const cases: [string, Buffer | string, RegExp][] = [
      ["random", randomBytes(64 * 1024), /^The body is not a tar archive;/],
      ["cut-short", fs.readFileSync(path.join(work, archives.docker)).subarray(0, 100_000), /not a tar archive \(or it is cut short\): Unexpected EOF/],
      ["empty", Buffer.alloc(0), /empty/],
      ["plain", archives.plain, /holds no image/],
      ["gzip", archives.gzip, /gzip-compressed/],
      ["bad-manifest", archives.badManifest, /^Reading the docker-archive failed: initializing source docker-archive:upload\.tar: .*manifest\.json/],
      ["no-shell", archives.noShell, /no \/bin\/sh/],
    ];
    for (const [name, body, message] of cases) {
      const res = await importImage({ name: `bad-${name}`, body });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.message, name).toMatch(message);
      expect(res.body.error.message).not.toContain(templatesDataDir()); // no server paths
      if (name === "no-shell") expect(res.body.error.details.importLog.map((e: { step: string }) => e.step)).toEqual(["upload", "detect", "convert", "config", "unpack"]);
    }
    expect(await db().template.count({ where: { tenantId: t.id, name: { startsWith: "bad-" } } })).toBe(0);
    expect(templateDirs().length).toBe(before);
  });

  it("answers 409 for a taken name, 400 for a bad name, 413 over the limit, 415 for JSON, 401 and 403", async () => {
    expect((await importImage({ name: "taken", body: archives.oci })).status).toBe(201);
    const dup = await importImage({ name: "taken", body: archives.oci });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details.fields).toEqual([{ path: "query.name", message: "taken" }]);
    expect((await importImage({ name: "Bad Name", body: archives.oci })).status).toBe(400);
    expect((await importImage({ name: "base", body: archives.oci })).status).toBe(400);
    const huge = await importImage({ name: "huge", body: Buffer.alloc(16), headers: { "content-length": String(3 * 1024 ** 3) } });
    expect(huge.status).toBe(413);
    expect((await importImage({ name: "json", body: archives.oci, contentType: "application/json" })).status).toBe(415);
    const reader = await createKey(t.id, ["sessions:read", "sessions:write"]);
    expect((await importImage({ name: "no-admin", body: archives.oci, key: reader.secret })).status).toBe(403);
    const anonymous = new Request("http://127.0.0.1/api/v1/templates/import?name=anon", { method: "POST", headers: { "content-type": "application/x-tar" }, body: "x" });
    expect((await importRoute.POST(anonymous, { params: Promise.resolve({}) })).status).toBe(401);
    expect(await db().template.count({ where: { tenantId: t.id, name: { in: ["huge", "json", "no-admin", "anon"] } } })).toBe(0);
  });

  it("hashes the archive into the Idempotency-Key: the same archive replays, another one is 409", async () => {
    const key = { "idempotency-key": "import-once" };
    const first = await importImage({ name: "idem", body: archives.oci, headers: key });
    expect(first.status).toBe(201);
    const again = await importImage({ name: "idem", body: archives.oci, headers: key });
    expect(again).toEqual(first);
    const other = await importImage({ name: "idem", body: archives.docker, headers: key });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe("This Idempotency-Key was used for a different request");
    expect(await db().template.count({ where: { tenantId: t.id, name: "idem" } })).toBe(1);
  });
});
