// npm start's host check against a stand-in apt-get on a PATH of its own: what it runs, in which
// order, and that it runs nothing when nothing is missing.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ensureHostPrerequisites } from "./ensure-host-prerequisites";

let bin: string;
let calls: string;
const lines: string[] = [];

const FAKE_APT = (exitOnInstall: number) => `#!/bin/sh
PATH=/usr/bin:/bin
echo "$DEBIAN_FRONTEND $*" >> "${"$"}(dirname "$0")/apt-calls"
[ "$1" = install ] || exit 0
[ ${exitOnInstall} = 0 ] || exit ${exitOnInstall}
for pkg in "$@"; do
  case "$pkg" in
    attr) cmds="getfattr setfattr" ;;
    busybox-static) cmds=busybox ;;
    -*|install) cmds="" ;;
    *) cmds="$pkg" ;;
  esac
  for c in $cmds; do printf '#!/bin/sh\\n' > "$(dirname "$0")/$c"; chmod 755 "$(dirname "$0")/$c"; done
done
`;

function executable(name: string, text = "#!/bin/sh\n") {
  writeFileSync(path.join(bin, name), text);
  chmodSync(path.join(bin, name), 0o755);
}

const ensure = (over: { installAllowed?: boolean; isRoot?: boolean } = {}) =>
  ensureHostPrerequisites({ runtime: "runc", diskLimits: false, installAllowed: true, isRoot: true, searchPath: bin, log: (m) => lines.push(m), ...over });

beforeEach(() => {
  bin = mkdtempSync(path.join(os.tmpdir(), "burrow-prereq-bin-"));
  calls = path.join(bin, "apt-calls");
  lines.length = 0;
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

it("runs no apt-get when every tool is there", () => {
  executable("apt-get", FAKE_APT(0));
  for (const c of ["runc", "zstd", "getfattr", "setfattr", "python3", "skopeo", "umoci", "busybox"]) executable(c);
  expect(ensure()).toEqual([]);
  expect(existsSync(calls)).toBe(false);
  expect(lines).toEqual([]);
});

it("as root installs the missing packages (update, then one install), and then finds them", () => {
  executable("apt-get", FAKE_APT(0));
  executable("python3");
  expect(ensure()).toEqual([]);
  expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
    "noninteractive update",
    "noninteractive install -y --no-install-recommends runc zstd attr skopeo umoci busybox-static",
  ]);
  expect(lines.join("\n")).toContain("installing the Debian packages runc zstd attr skopeo umoci busybox-static");
});

it("when the install fails, says the command and starts anyway with what is still missing", () => {
  executable("apt-get", FAKE_APT(100));
  for (const c of ["zstd", "getfattr", "setfattr", "python3", "skopeo", "umoci", "busybox"]) executable(c);
  expect(ensure().map((t) => t.command)).toEqual(["runc"]);
  const log = lines.join("\n");
  expect(log).toContain("apt-get install failed (exit 100); install them yourself, as root: apt-get update && apt-get install -y --no-install-recommends runc");
  expect(log).toContain("the runner will register as unable to run sandboxes (still missing: runc)");
});

it.each([[{ installAllowed: false }, "BURROW_INSTALL_PREREQUISITES=0"], [{ isRoot: false }, "not running as root"]])(
  "installs nothing when %o, and prints the command", (over, why) => {
    executable("apt-get", FAKE_APT(0));
    for (const c of ["runc", "zstd", "getfattr", "setfattr", "python3"]) executable(c);
    expect(ensure(over).map((t) => t.command)).toEqual(["skopeo", "umoci", "busybox"]);
    expect(existsSync(calls)).toBe(false);
    expect(lines.join("\n")).toContain(`not installing them (${why}); to install them, as root: apt-get install -y --no-install-recommends skopeo umoci busybox-static`);
    expect(lines.join("\n")).toContain("image imports will fail until skopeo, umoci, busybox are installed");
  });
