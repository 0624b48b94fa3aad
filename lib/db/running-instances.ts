// Each `npm start` records itself (pid, port, DATA_DIR, whether its Postgres is embedded) in a
// directory shared by the host, so that `npm run admin` run from another shell, or with another
// DATA_DIR, finds the database of the Burrow that is actually running instead of quietly starting a
// second, empty one. Entries of processes that are gone are ignored and removed when read.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type RunningInstance = { pid: number; port: number; dataDir: string; embeddedDatabase: boolean };

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Records this process as a running Burrow; returns the function that removes the record. */
export function recordRunningInstance(registryDir: string, instance: RunningInstance): () => void {
  mkdirSync(registryDir, { recursive: true, mode: 0o700 });
  const file = path.join(registryDir, `${instance.pid}.json`);
  writeFileSync(file, JSON.stringify(instance) + "\n", { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

export function listRunningInstances(registryDir: string): RunningInstance[] {
  if (!existsSync(registryDir)) return [];
  const instances: RunningInstance[] = [];
  for (const name of readdirSync(registryDir).filter((n) => n.endsWith(".json"))) {
    const file = path.join(registryDir, name);
    let instance: RunningInstance;
    try {
      instance = JSON.parse(readFileSync(file, "utf8")) as RunningInstance;
    } catch {
      continue; // half-written by a starter at this moment; it will be whole on the next read
    }
    if (processAlive(instance.pid)) instances.push(instance);
    else rmSync(file, { force: true });
  }
  return instances.sort((a, b) => a.port - b.port);
}

/** Whether DATA_DIR holds an embedded database (running, or initialised and stopped). */
export function hasLocalDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, "postgres.json")) || existsSync(path.join(dataDir, "postgres", "PG_VERSION"));
}

export type DatabaseChoice = { kind: "url" } | { kind: "dataDir"; dataDir: string; note?: string } | { kind: "refuse"; message: string };

const describe = (i: RunningInstance) => `port ${i.port} (DATA_DIR=${i.dataDir}${i.embeddedDatabase ? "" : ", DATABASE_URL"})`;

/**
 * Which database an operator command uses: DATABASE_URL; else the one under DATA_DIR; else that of
 * the one Burrow running on this host. It never picks an empty DATA_DIR, where a database would be
 * new and no web app would see what the command writes.
 */
export function chooseAdminDatabase(opts: { databaseUrl?: string; dataDir: string; running: RunningInstance[] }): DatabaseChoice {
  if (opts.databaseUrl) return { kind: "url" };
  if (hasLocalDatabase(opts.dataDir)) return { kind: "dataDir", dataDir: opts.dataDir };
  const again = "and run this command again";
  if (opts.running.length === 0) {
    return { kind: "refuse", message: `No Burrow database under ${opts.dataDir}, and no Burrow is running on this host. Start Burrow first (npm start), ${again}; if it keeps its data elsewhere, set DATA_DIR to that directory, or DATABASE_URL to its database.` };
  }
  if (opts.running.length > 1) {
    return { kind: "refuse", message: `No Burrow database under ${opts.dataDir}, and ${opts.running.length} Burrows are running on this host: ${opts.running.map(describe).join("; ")}. Say which: set DATA_DIR (or DATABASE_URL) as that instance has it, ${again}.` };
  }
  const [only] = opts.running;
  if (!only.embeddedDatabase) {
    return { kind: "refuse", message: `No Burrow database under ${opts.dataDir}. The Burrow running on ${describe(only)} uses DATABASE_URL: set the same DATABASE_URL ${again}.` };
  }
  return { kind: "dataDir", dataDir: only.dataDir, note: `no database under ${opts.dataDir}; using that of the Burrow running on ${describe(only)}` };
}
