-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "post_mortem" JSONB;
