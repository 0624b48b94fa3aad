-- AlterTable: a session's egress policy; null is network "none" (loopback only), what every existing session has.
ALTER TABLE "sessions" ADD COLUMN "network" JSONB;

-- AlterTable: a template's default policy for the sessions made from it (null: none).
ALTER TABLE "templates" ADD COLUMN "network" JSONB;
