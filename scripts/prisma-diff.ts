// Writes migration SQL without the Prisma schema engine binary (which cannot be downloaded on our
// machines): Prisma 6's CLI diffs two datamodels with its bundled wasm engine when given a JS
// driver adapter. Used to author migrations and by the schema-drift test.
//
//   npx tsx scripts/prisma-diff.ts --to prisma/schema.prisma [--from old.prisma] --url postgresql://…
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);

/** SQL that turns a database matching `from` (empty when omitted) into one matching `to`. */
export function diffSchemas(opts: { to: string; from?: string; databaseUrl: string }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-diff-"));
  try {
    const prisma6Schema = (file: string, name: string) => {
      // Prisma 6 wants the datasource url in the schema; Prisma 7 keeps it in the config.
      const text = readFileSync(file, "utf8").replace(
        /provider\s*=\s*"postgresql"/,
        `provider = "postgresql"\n  url = "${opts.databaseUrl}"`,
      );
      const out = path.join(dir, name);
      writeFileSync(out, text);
      return out;
    };
    const adapterPath = require.resolve("@prisma/adapter-pg");
    const configPath = path.join(dir, "prisma.config.mjs");
    writeFileSync(
      configPath,
      `import { PrismaPg } from ${JSON.stringify(adapterPath)};
export default { experimental: { adapter: true }, engine: "js",
  adapter: async () => new PrismaPg({ connectionString: ${JSON.stringify(opts.databaseUrl)} }) };\n`,
    );
    const fromArgs = opts.from
      ? ["--from-schema-datamodel", prisma6Schema(opts.from, "from.prisma")]
      : ["--from-empty"];
    const cli = path.join(path.dirname(require.resolve("prisma6/package.json")), "build", "index.js");
    const result = spawnSync(
      process.execPath,
      [cli, "migrate", "diff", "--config", configPath, ...fromArgs,
        "--to-schema-datamodel", prisma6Schema(opts.to, "to.prisma"), "--script"],
      {
        cwd: dir,
        encoding: "utf8",
        timeout: 120_000,
        env: {
          ...process.env,
          // Never executed by `migrate diff` with engine "js"; the CLI only checks the paths exist.
          PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
          PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: "1",
        },
      },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed: ${result.stderr || result.error}`);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const to = arg("to");
  const databaseUrl = arg("url") ?? process.env.DATABASE_URL;
  if (!to || !databaseUrl) {
    console.error("usage: tsx scripts/prisma-diff.ts --to NEW.prisma [--from OLD.prisma] --url POSTGRES_URL");
    process.exit(2);
  }
  process.stdout.write(diffSchemas({ to, from: arg("from"), databaseUrl }));
}
