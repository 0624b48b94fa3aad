-- CreateTable
CREATE TABLE "session_network_counters" (
    "session_id" TEXT NOT NULL,
    "meter_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "bytes_out" BIGINT NOT NULL,
    "bytes_in" BIGINT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_network_counters_pkey" PRIMARY KEY ("session_id","meter_id")
);

-- CreateTable
CREATE TABLE "session_network_hours" (
    "session_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(6) NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "bytes_out" BIGINT NOT NULL DEFAULT 0,
    "bytes_in" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "session_network_hours_pkey" PRIMARY KEY ("session_id","hour")
);

-- CreateTable
CREATE TABLE "session_network_events" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "kind" TEXT NOT NULL,
    "verdict" TEXT,
    "rule" TEXT,
    "entry" TEXT,
    "name" TEXT,
    "query_type" TEXT,
    "answers" TEXT[],
    "destination" TEXT,
    "port" INTEGER,
    "protocol" TEXT,
    "count" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "session_network_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_network_hours_tenant_id_hour_idx" ON "session_network_hours"("tenant_id", "hour");

-- CreateIndex
CREATE INDEX "session_network_events_tenant_id_session_id_id_idx" ON "session_network_events"("tenant_id", "session_id", "id");

-- CreateIndex
CREATE INDEX "session_network_events_tenant_id_at_idx" ON "session_network_events"("tenant_id", "at");

-- Egress in the price book: per GiB sent out; the free plan includes 5 GiB a month, pro 100 GiB.
INSERT INTO "plan_prices" ("plan_id", "meter", "unit_price_usd", "included_quantity", "stripe_event_name")
SELECT p.id, 'network_egress_gib', v.price, v.included, 'burrow_network_egress_gib'
FROM (VALUES ('free', 0.09, 5), ('pro', 0.08, 100), ('enterprise', 0.05, 0)) AS v(plan_id, price, included)
JOIN "plans" p ON p.id = v.plan_id
ON CONFLICT DO NOTHING;
