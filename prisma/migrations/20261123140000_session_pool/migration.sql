-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "pool" TEXT;
