import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
const t = Date.now();
const pg = await startEmbeddedPostgres({ dataDir: "/tmp/devpg", port: 54329, log: () => {} });
console.log(pg.url, Date.now() - t, "ms");
setInterval(() => {}, 1 << 30);
