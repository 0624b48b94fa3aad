// The sandbox agent's binary (agent/burrow-agent.c: PID 1 of each sandbox and its exec service),
// compiled on this host with `gcc -static -Os` (Debian: gcc, libc6-dev) the first time it is
// needed. Cached as node_modules/.cache/burrow/burrow-agent-<hash of the source>: a changed source
// gets a new binary, and sandboxes already running keep the file they were started with. Built
// into a temp name and renamed, so concurrent builders (test files, a runner and a script) never
// see half a binary. Binaries of older sources are removed after a build: a running sandbox keeps
// the one it has (its bind mount holds the file), and new ones get the new binary.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const SOURCE = fileURLToPath(new URL("./agent/burrow-agent.c", import.meta.url));
export const AGENT_CACHE_DIR = path.resolve(path.dirname(SOURCE), "../../../node_modules/.cache/burrow");
const BUILD_TIMEOUT_MS = 60_000;

let building: Promise<string> | null = null;

/** The path of the built agent, compiling it if this source has no binary yet. Throws when gcc fails. */
export function ensureAgentBinary(): Promise<string> {
  building ??= buildAgent().catch((e) => {
    building = null; // a later call tries again (e.g. after gcc was installed)
    throw e;
  });
  return building;
}

async function buildAgent(): Promise<string> {
  const source = await fs.readFile(SOURCE);
  const binary = path.join(AGENT_CACHE_DIR, `burrow-agent-${createHash("sha256").update(source).digest("hex").slice(0, 16)}`);
  if (await fs.access(binary).then(() => true, () => false)) return binary;
  await fs.mkdir(AGENT_CACHE_DIR, { recursive: true });
  const tmp = `${binary}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await promisify(execFile)("gcc", ["-static", "-Os", "-Wall", "-o", tmp, SOURCE], { timeout: BUILD_TIMEOUT_MS });
    await fs.chmod(tmp, 0o755);
    await fs.rename(tmp, binary);
    for (const name of await fs.readdir(AGENT_CACHE_DIR)) {
      if (/^burrow-agent-[0-9a-f]{16}$/.test(name) && path.join(AGENT_CACHE_DIR, name) !== binary) await fs.rm(path.join(AGENT_CACHE_DIR, name), { force: true });
    }
  } catch (e) {
    await fs.rm(tmp, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") throw new Error("gcc not found: apt-get install gcc libc6-dev (the sandbox exec agent is built on the host)");
    throw new Error(`building the sandbox exec agent failed: ${(err.stderr || err.message).trim().slice(-2000)}`);
  }
  return binary;
}
