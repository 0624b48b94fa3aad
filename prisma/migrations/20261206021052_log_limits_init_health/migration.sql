-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "init_health" TEXT,
ADD COLUMN     "log_bytes" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "plans" ADD COLUMN     "log_bytes_per_second" INTEGER NOT NULL DEFAULT 1048576,
ADD COLUMN     "log_max_bytes" BIGINT NOT NULL DEFAULT 268435456;


-- Per-plan session log limits: free 256 KiB/s and 64 MiB per session, pro the defaults (1 MiB/s,
-- 256 MiB), enterprise 4 MiB/s and 1 GiB.
UPDATE "plans" SET "log_bytes_per_second" = 262144, "log_max_bytes" = 67108864 WHERE "id" = 'free';
UPDATE "plans" SET "log_bytes_per_second" = 4194304, "log_max_bytes" = 1073741824 WHERE "id" = 'enterprise';
