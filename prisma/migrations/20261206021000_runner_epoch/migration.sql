-- AlterTable
ALTER TABLE "runners" ADD COLUMN     "epoch" INTEGER NOT NULL DEFAULT 0;
