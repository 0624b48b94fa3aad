// Extended attributes through the Debian `attr` tools (Node has no xattr API): getfattr and
// setfattr, both with -h (never follow a symlink), many paths per process, paths relative to
// the tree root (cwd). Values travel as base64. Only names matching XATTR_NAME are kept.
import { spawn } from "node:child_process";
import { SnapshotStoreError } from "./errors";
import { XATTR_NAME } from "./manifest-schema";
import { CHILD_ENV } from "./child-env";

/** Paths per getfattr process: a whole 10,000-file tree in one spawn (each costs the main thread
 * ~8 ms), within the kernel's 2 MiB for arguments and environment. */
const BATCH = 20_000;
const BATCH_ARG_BYTES = 1 << 20;
const SET_BATCH = 500;

function run(cmd: string, args: string[], cwd: string, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: CHILD_ENV, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      if (err.length < 4000) err += d;
    });
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new SnapshotStoreError(`${cmd} not found: install the Debian package \`attr\``) : e));
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("latin1")) : reject(new SnapshotStoreError(`${cmd} failed (${code}): ${err.trim().slice(0, 500)}`))));
    if (stdin !== undefined) {
      child.stdin!.on("error", () => {});
      child.stdin!.end(Buffer.from(stdin, "latin1"));
    }
  });
}

/** getfattr's quoting: backslash and bytes outside printable ASCII as \ooo (latin1 in, latin1 out). */
export function escapeDumpPath(utf8Path: string): string {
  let out = "";
  for (const byte of Buffer.from(utf8Path, "utf8")) {
    out += byte <= 0x20 || byte >= 0x7f || byte === 0x5c ? `\\${byte.toString(8).padStart(3, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

export function unescapeDumpPath(latin1: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < latin1.length; i++) {
    const m = latin1[i] === "\\" ? /^\\([0-7]{3}|\\)/.exec(latin1.slice(i, i + 4)) : null;
    if (m) {
      bytes.push(m[1] === "\\" ? 0x5c : parseInt(m[1], 8));
      i += m[0].length - 1;
    } else bytes.push(latin1.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeValue(v: string): string {
  if (v.startsWith("0s")) return v.slice(2);
  if (v.startsWith("0x")) return Buffer.from(v.slice(2), "hex").toString("base64");
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return Buffer.from(unescapeDumpPath(v.slice(1, -1)), "utf8").toString("base64");
  throw new Error(`unexpected getfattr value ${JSON.stringify(v.slice(0, 40))}`);
}

/** Parses `getfattr -d -e base64` output into path → { name: base64 }. */
export function parseDump(dump: string): Map<string, Record<string, string>> {
  const result = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of dump.split("\n")) {
    if (line.startsWith("# file: ")) {
      current = {};
      result.set(unescapeDumpPath(line.slice(8)), current);
    } else if (line && current) {
      const eq = line.indexOf("=");
      const name = eq < 0 ? line : line.slice(0, eq);
      if (XATTR_NAME.test(name)) current[name] = eq < 0 ? "" : decodeValue(line.slice(eq + 1));
    }
  }
  for (const [p, attrs] of result) if (Object.keys(attrs).length === 0) result.delete(p);
  return result;
}

export function formatDump(items: readonly { path: string; xattrs: Record<string, string> }[]): string {
  let out = "";
  for (const { path, xattrs } of items) {
    out += `# file: ${escapeDumpPath(path)}\n`;
    for (const [name, b64] of Object.entries(xattrs)) out += b64 ? `${name}=0s${b64}\n` : `${name}=""\n`;
    out += "\n";
  }
  return out;
}

/** Reads the kept xattrs of relPaths (relative to root; "." is the root itself). */
export async function readXattrs(root: string, relPaths: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const all = new Map<string, Record<string, string>>();
  for (let i = 0; i < relPaths.length; ) {
    const batch: string[] = [];
    for (let bytes = 0; i < relPaths.length && batch.length < BATCH && bytes < BATCH_ARG_BYTES; i++) {
      batch.push(relPaths[i]);
      bytes += Buffer.byteLength(relPaths[i]) + 1;
    }
    const dump = await run("getfattr", ["-h", "-d", "-e", "base64", "-m", XATTR_NAME.source, "--", ...batch], root);
    for (const [p, attrs] of parseDump(dump)) all.set(p, attrs);
  }
  return all;
}

export async function writeXattrs(root: string, items: readonly { path: string; xattrs: Record<string, string> }[]): Promise<void> {
  for (let i = 0; i < items.length; i += SET_BATCH) {
    await run("setfattr", ["-h", "--restore=-"], root, formatDump(items.slice(i, i + SET_BATCH)));
  }
}
