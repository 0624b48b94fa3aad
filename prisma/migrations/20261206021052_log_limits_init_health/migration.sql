-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "init_health" TEXT,
ADD COLUMN     "log_bytes" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "plans" ADD COLUMN     "log_bytes_per_second" INTEGER NOT NULL DEFAULT 1048576,
ADD COLUMN     "log_max_bytes" BIGINT NOT NULL DEFAULT 67108864;


-- Per-plan session log limits: free keeps the defaults (1 MiB/s, 64 MiB per session).
UPDATE "plans" SET "log_bytes_per_second" = 4194304, "log_max_bytes" = 1073741824 WHERE "id" = 'pro';
UPDATE "plans" SET "log_bytes_per_second" = 16777216, "log_max_bytes" = 8589934592 WHERE "id" = 'enterprise';
