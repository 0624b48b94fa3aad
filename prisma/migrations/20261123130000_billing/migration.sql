-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "spend_limit_cents" INTEGER;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "api_key_id" TEXT;

-- AlterTable
ALTER TABLE "snapshots" ADD COLUMN     "deleted_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "plans" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "monthly_fee_cents" INTEGER NOT NULL,
    "max_running_sessions" INTEGER NOT NULL,
    "max_vcpu" DOUBLE PRECISION NOT NULL,
    "max_memory_mib" INTEGER NOT NULL,
    "max_snapshot_bytes" BIGINT NOT NULL,
    "max_lifetime_seconds" INTEGER NOT NULL,
    "stripe_price_id" TEXT,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plan_prices" (
    "plan_id" TEXT NOT NULL,
    "meter" TEXT NOT NULL,
    "unit_price_usd" DECIMAL(20,12) NOT NULL,
    "included_quantity" DECIMAL(24,6) NOT NULL DEFAULT 0,
    "stripe_event_name" TEXT NOT NULL,

    CONSTRAINT "plan_prices_pkey" PRIMARY KEY ("plan_id","meter")
);

-- CreateTable
CREATE TABLE "tenant_billing" (
    "tenant_id" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL DEFAULT 'free',
    "stripe_customer_id" TEXT,
    "stripe_subscription_id" TEXT,
    "subscription_status" TEXT,
    "subscription_updated_at" TIMESTAMP(3),
    "spend_limit_cents" INTEGER,
    "spend_limit_reached_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_billing_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "usage_hours" (
    "subject_id" TEXT NOT NULL,
    "meter" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "session_id" TEXT,
    "template_name" TEXT,
    "api_key_id" TEXT,
    "dimension" TEXT NOT NULL DEFAULT '',
    "quantity" DECIMAL(24,6) NOT NULL,
    "computed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_hours_pkey" PRIMARY KEY ("subject_id","meter","hour")
);

-- CreateTable
CREATE TABLE "usage_rollup_state" (
    "id" TEXT NOT NULL,
    "closed_through" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_rollup_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_pushes" (
    "identifier" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "meter" TEXT NOT NULL,
    "quantity" DECIMAL(24,6) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "sent_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_pushes_pkey" PRIMARY KEY ("identifier")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMP(3),
    "outcome" TEXT,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "stripe_invoice_id" TEXT,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "period_start" TIMESTAMP(3) NOT NULL,
    "period_end" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "total_cents" INTEGER NOT NULL,
    "lines" JSONB NOT NULL DEFAULT '[]',
    "hosted_url" TEXT,
    "pdf_url" TEXT,
    "stripe_updated_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budget_alerts" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "period_start" TIMESTAMP(3) NOT NULL,
    "threshold" INTEGER NOT NULL,
    "spend_cents" INTEGER NOT NULL,
    "limit_cents" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenant_billing_stripe_customer_id_key" ON "tenant_billing"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_billing_stripe_subscription_id_key" ON "tenant_billing"("stripe_subscription_id");

-- CreateIndex
CREATE INDEX "usage_hours_tenant_id_hour_idx" ON "usage_hours"("tenant_id", "hour");

-- CreateIndex
CREATE INDEX "usage_pushes_status_next_attempt_at_idx" ON "usage_pushes"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_pushes_tenant_id_hour_meter_key" ON "usage_pushes"("tenant_id", "hour", "meter");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_stripe_invoice_id_key" ON "invoices"("stripe_invoice_id");

-- CreateIndex
CREATE INDEX "invoices_tenant_id_period_start_idx" ON "invoices"("tenant_id", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_tenant_id_source_period_start_key" ON "invoices"("tenant_id", "source", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "budget_alerts_tenant_id_scope_period_start_threshold_key" ON "budget_alerts"("tenant_id", "scope", "period_start", "threshold");

-- AddForeignKey
ALTER TABLE "plan_prices" ADD CONSTRAINT "plan_prices_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_billing" ADD CONSTRAINT "tenant_billing_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Seed the price book. Free keeps the quotas every tenant had before plans existed.
INSERT INTO "plans" ("id", "name", "monthly_fee_cents", "max_running_sessions", "max_vcpu", "max_memory_mib", "max_snapshot_bytes", "max_lifetime_seconds", "sort_order") VALUES
  ('free', 'Free', 0, 20, 32, 65536, 53687091200, 86400, 0),
  ('pro', 'Pro', 2900, 100, 256, 524288, 536870912000, 86400, 1),
  ('enterprise', 'Enterprise', 50000, 1000, 2048, 4194304, 10995116277760, 86400, 2);

INSERT INTO "plan_prices" ("plan_id", "meter", "unit_price_usd", "included_quantity", "stripe_event_name") VALUES
  ('free', 'vcpu_seconds', 0.000014, 36000, 'burrow_vcpu_seconds'),
  ('free', 'memory_gib_seconds', 0.0000045, 72000, 'burrow_memory_gib_seconds'),
  ('free', 'gpu_seconds', 0.000583, 0, 'burrow_gpu_seconds'),
  ('free', 'snapshot_gib_hours', 0.00014, 7200, 'burrow_snapshot_gib_hours'),
  ('pro', 'vcpu_seconds', 0.000012, 360000, 'burrow_vcpu_seconds'),
  ('pro', 'memory_gib_seconds', 0.000004, 720000, 'burrow_memory_gib_seconds'),
  ('pro', 'gpu_seconds', 0.0005, 0, 'burrow_gpu_seconds'),
  ('pro', 'snapshot_gib_hours', 0.00012, 72000, 'burrow_snapshot_gib_hours'),
  ('enterprise', 'vcpu_seconds', 0.00001, 0, 'burrow_vcpu_seconds'),
  ('enterprise', 'memory_gib_seconds', 0.0000035, 0, 'burrow_memory_gib_seconds'),
  ('enterprise', 'gpu_seconds', 0.00045, 0, 'burrow_gpu_seconds'),
  ('enterprise', 'snapshot_gib_hours', 0.0001, 0, 'burrow_snapshot_gib_hours');

-- Snapshots deleted before this migration: their storage is metered until the migration.
UPDATE "snapshots" SET "deleted_at" = CURRENT_TIMESTAMP WHERE "status" = 'deleted' AND "deleted_at" IS NULL;
