// Runs `prisma generate` after install. The Prisma CLI insists on a schema-engine binary path even
// though generate never executes it, and engines cannot be downloaded on our machines, so we point
// it at any existing file (see CONTRIBUTING.md).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("node_modules/prisma")) process.exit(0); // production install without devDependencies
const result = spawnSync("npx", ["prisma", "generate"], {
  stdio: "inherit",
  env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
process.exit(result.status ?? 1);
