-- AlterTable
ALTER TABLE "session_events" ADD COLUMN     "actor" TEXT;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "desired_by" TEXT;
