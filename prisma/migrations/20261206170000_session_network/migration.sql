-- AlterTable: a session's egress policy; null is network "none" (loopback only), what every existing session has.
ALTER TABLE "sessions" ADD COLUMN "network" JSONB;
