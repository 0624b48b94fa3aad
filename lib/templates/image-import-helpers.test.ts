import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertRunnableHere, templateEnvFromImage, type ImageConfig } from "./image-config";
import { runTool, summarizeToolError } from "./image-tools";
import { existsInRoot } from "./path-in-root";

describe("summarizeToolError", () => {
  it("unwraps skopeo's fatal message and cuts the server's directory out of paths", () => {
    const stderr = 'time="2026-01-01T00:00:00Z" level=fatal msg="initializing source docker-archive:/data/templates/tpl_1/upload.tar: reading \\"manifest.json\\": unexpected EOF"\n';
    expect(summarizeToolError(stderr, "/data/templates/tpl_1")).toBe('initializing source docker-archive:upload.tar: reading "manifest.json": unexpected EOF');
  });

  it("keeps GNU tar's cause, not its closing lines, and bounds the length", () => {
    const tar = "tar: This does not look like a tar archive\ntar: Skipping to next header\ntar: Exiting with failure status due to previous errors\n";
    expect(summarizeToolError(tar)).toBe("This does not look like a tar archive");
    expect(summarizeToolError("x".repeat(1000)).length).toBe(300);
    expect(summarizeToolError("")).toBe("no detail");
  });
});

describe("runTool", () => {
  it("names the Debian packages when a tool is missing", async () => {
    await expect(runTool("burrow-no-such-tool", [], { timeoutMs: 5_000 })).rejects.toMatchObject({
      status: 503, message: expect.stringContaining("apt-get install skopeo umoci"),
    });
  });

  it("streams stdout by line, keeps stderr, and kills at the time limit", async () => {
    const lines: string[] = [];
    const r = await runTool("sh", ["-c", "echo a; echo b; echo oops >&2; exit 3"], { timeoutMs: 5_000, onLine: (l) => lines.push(l) });
    expect({ ...r, lines }).toEqual({ exitCode: 3, stderr: "oops\n", timedOut: false, lines: ["a", "b"] });
    expect(await runTool("sleep", ["5"], { timeoutMs: 50 })).toMatchObject({ timedOut: true });
  });
});

describe("templateEnvFromImage", () => {
  it("takes NAME=value pairs (the last one wins) and lists names a sandbox cannot take", () => {
    expect(templateEnvFromImage(["PATH=/usr/bin:/bin", "FOO=a=b", "FOO=c", "EMPTY=", "a.b=1", "NOVALUE"])).toEqual({
      env: { PATH: "/usr/bin:/bin", FOO: "c", EMPTY: "", NOVALUE: "" },
      skipped: ["a.b"],
    });
  });

  it("refuses more variables than a template may hold", () => {
    expect(() => templateEnvFromImage(Array.from({ length: 201 }, (_, i) => `V${i}=x`))).toThrow(/at most 200/);
  });
});

describe("assertRunnableHere", () => {
  const image = (over: Partial<ImageConfig>): ImageConfig => ({ digest: "", os: "linux", architecture: "amd64", env: [], workingDir: null, entrypoint: null, cmd: null, ...over });
  it("accepts this host's platform (or none given) and refuses others", () => {
    expect(() => assertRunnableHere(image({}), "x64")).not.toThrow();
    expect(() => assertRunnableHere(image({ os: null, architecture: null }), "x64")).not.toThrow();
    expect(() => assertRunnableHere(image({ architecture: "arm64" }), "x64")).toThrow(/arm64; this server runs amd64/);
    expect(() => assertRunnableHere(image({ os: "windows" }), "x64")).toThrow(/only linux/);
  });
});

describe("existsInRoot", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-root-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, "usr/bin"), { recursive: true });
  fs.writeFileSync(path.join(root, "usr/bin/dash"), "");
  fs.symlinkSync("usr/bin", path.join(root, "bin"));
  fs.symlinkSync("/usr/bin/dash", path.join(root, "usr/bin/sh"));
  fs.symlinkSync("../../../../../etc/passwd", path.join(root, "usr/bin/escape"));
  fs.symlinkSync("/etc/hostname", path.join(root, "usr/bin/host-abs"));
  fs.symlinkSync("loop", path.join(root, "loop"));

  it("follows relative and absolute links inside the image", async () => {
    expect(await existsInRoot(root, "/bin/sh")).toBe(true);
    // As the kernel does: `..` goes up from where the link led (/usr/bin), not from /bin.
    expect(await existsInRoot(root, "/bin/../bin/dash")).toBe(true);
    expect(await existsInRoot(root, "/bin/../usr/bin/dash")).toBe(false);
    expect(await existsInRoot(root, "/bin/bash")).toBe(false);
  });

  it("never resolves to the host, and stops at a link loop", async () => {
    expect(fs.existsSync("/etc/passwd")).toBe(true);
    expect(await existsInRoot(root, "/bin/escape")).toBe(false);
    expect(await existsInRoot(root, "/bin/host-abs")).toBe(false);
    expect(await existsInRoot(root, "/loop")).toBe(false);
    expect(await existsInRoot(root, "/usr/bin/dash/x")).toBe(false);
  });
});
