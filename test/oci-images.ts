// A tiny runnable image built without any network: an OCI layout made with umoci holding the
// host's static busybox (sh, cat, echo; no `sleep`, on purpose), /bin/marker and Env FOO=bar, and
// the layout as a tarball (what POST /api/v1/templates/import takes as an oci-archive). Used by
// the import's integration test and by the console's Playwright test.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const sh = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

/** Builds the OCI layout `<work>/<layout>` with the tag `latest`; `<work>/B` is umoci's scratch bundle. */
export function buildBusyboxOciLayout(work: string, layout = "L"): void {
  sh("umoci", ["init", "--layout", layout], work);
  sh("umoci", ["new", "--image", `${layout}:latest`], work);
  sh("umoci", ["unpack", "--image", `${layout}:latest`, "B"], work);
  const bin = path.join(work, "B/rootfs/bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync("/bin/busybox", path.join(bin, "busybox"));
  fs.chmodSync(path.join(bin, "busybox"), 0o755);
  for (const applet of ["sh", "cat", "echo"]) fs.symlinkSync("busybox", path.join(bin, applet));
  fs.writeFileSync(path.join(bin, "marker"), "from-the-image\n");
  sh("umoci", ["repack", "--image", `${layout}:latest`, "B"], work);
  sh("umoci", ["config", "--image", `${layout}:latest`, "--config.env", "FOO=bar", "--config.workingdir", "/srv", "--config.cmd", "/bin/sh"], work);
}

/** The layout `<work>/<layout>` as the plain tar `<work>/<out>` (an oci-archive); returns its path. */
export function tarOciLayout(work: string, layout = "L", out = "oci.tar"): string {
  sh("tar", ["-C", layout, "-cf", out, "."], work);
  return path.join(work, out);
}
