// Prisma CLI config (Prisma 7). Only `prisma generate` runs here; migrations are applied by
// lib/db/migrate.ts, which keeps _prisma_migrations as `prisma migrate deploy` does.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/burrow" },
});
