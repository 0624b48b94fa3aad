import { describe, expect, it } from "vitest";
import { escapeDumpPath, formatDump, parseDump, unescapeDumpPath } from "./xattrs";

describe("getfattr dump format", () => {
  it("escapes paths the way getfattr does and back", () => {
    for (const p of ["plain/path.txt", "with space", "new\nline", "back\\slash", "ünïcödé", "tab\there", "=#:"]) {
      expect(unescapeDumpPath(escapeDumpPath(p))).toBe(p);
    }
    expect(escapeDumpPath("a b\n\\")).toBe("a\\040b\\012\\134");
    expect(unescapeDumpPath("weird\\012name")).toBe("weird\nname");
  });

  it("parses a dump, keeping only the attributes we store", () => {
    const dump = [
      "# file: var/cache/opaque",
      "trusted.overlay.opaque=0seQ==",
      "trusted.overlay.origin=0sAPsdAAAA",
      "",
      "# file: src/index.ts",
      'user.empty=""',
      "user.origin=0sYWdlbnQ=",
      "",
      "# file: only-dropped",
      "trusted.overlay.impure=0seQ==",
      "",
    ].join("\n");
    const parsed = parseDump(dump);
    expect([...parsed.keys()]).toEqual(["var/cache/opaque", "src/index.ts"]);
    expect(parsed.get("var/cache/opaque")).toEqual({ "trusted.overlay.opaque": "eQ==" });
    expect(parsed.get("src/index.ts")).toEqual({ "user.empty": "", "user.origin": "YWdlbnQ=" });
  });

  it("formats what setfattr --restore reads", () => {
    expect(formatDump([{ path: "a dir", xattrs: { "trusted.overlay.opaque": "eQ==", "user.e": "" } }])).toBe('# file: a\\040dir\ntrusted.overlay.opaque=0seQ==\nuser.e=""\n\n');
    const round = parseDump(formatDump([{ path: "x\ny", xattrs: { "user.a": "AQI=" } }]));
    expect(round.get("x\ny")).toEqual({ "user.a": "AQI=" });
  });
});
