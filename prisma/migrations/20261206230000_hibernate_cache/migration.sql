-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "cache_runner_id" TEXT;
