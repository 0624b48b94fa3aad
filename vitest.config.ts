import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
const env = {
  AUTH_SECRET: "test-secret-for-vitest-only-0123456789",
  API_RATE_LIMIT_PER_MINUTE: "300",
  RUNNER_SECRET: "test-runner-secret-0123456789",
  // Snapshots and imported templates written by the test process itself stay out of ./.data.
  DATA_DIR: path.join(os.tmpdir(), "burrow-vitest-data"),
  NODE_ENV: "test" as const,
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["{lib,bench,scripts,workers,components}/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          env,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/**/*.int.test.ts", "{lib,workers}/**/*.int.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // next-auth's ESM imports "next/server" without an extension, which only a bundler resolves.
          server: { deps: { inline: ["next-auth"] } },
          env,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
