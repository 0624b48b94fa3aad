-- AlterTable
ALTER TABLE "runners" ADD COLUMN     "unhealthy_reason" TEXT;
