-- AlterTable: a session's egress policy; null is network "none" (loopback only), what every existing session has.
ALTER TABLE "sessions" ADD COLUMN "network" JSONB;

-- AlterTable: a template's default policy for the sessions made from it (null: the tenant's default; "none": none).
ALTER TABLE "templates" ADD COLUMN "network" JSONB;

-- AlterTable: the tenant's default policy, under its templates' (null: none).
ALTER TABLE "tenants" ADD COLUMN "default_network" JSONB;
