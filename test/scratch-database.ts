// Scratch databases on the test run's Postgres server, for tests that need an empty schema.
import pg from "pg";

/** Creates database `name` on the server at `serverUrl` and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createScratchDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_POSTGRES_SERVER_URL;
  if (!server) throw new Error("TEST_POSTGRES_SERVER_URL is set by test/global-setup.ts");
  const name = `scratch_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = await createDatabase(server, name);
  return {
    url,
    drop: () => withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
