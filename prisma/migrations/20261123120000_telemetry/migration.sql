-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "log_retention_days" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "span_retention_days" INTEGER NOT NULL DEFAULT 7;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "log_seq" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "session_logs" (
    "session_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "line" TEXT NOT NULL,

    CONSTRAINT "session_logs_pkey" PRIMARY KEY ("session_id","seq")
);

-- CreateTable
CREATE TABLE "spans" (
    "tenant_id" TEXT NOT NULL,
    "trace_id" TEXT NOT NULL,
    "span_id" TEXT NOT NULL,
    "parent_span_id" TEXT,
    "session_id" TEXT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "service_name" TEXT,
    "start_ns" BIGINT NOT NULL,
    "end_ns" BIGINT NOT NULL,
    "status_code" TEXT NOT NULL DEFAULT 'unset',
    "status_message" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "events" JSONB NOT NULL DEFAULT '[]',
    "resource" JSONB NOT NULL DEFAULT '{}',
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "spans_pkey" PRIMARY KEY ("tenant_id","trace_id","span_id")
);

-- CreateTable
CREATE TABLE "session_metrics" (
    "session_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "cpu_vcpu" DOUBLE PRECISION NOT NULL,
    "memory_bytes" BIGINT NOT NULL,
    "pids" INTEGER NOT NULL,

    CONSTRAINT "session_metrics_pkey" PRIMARY KEY ("session_id","at")
);

-- CreateIndex
CREATE INDEX "session_logs_tenant_id_at_idx" ON "session_logs"("tenant_id", "at");

-- CreateIndex
CREATE INDEX "spans_tenant_id_start_ns_idx" ON "spans"("tenant_id", "start_ns");

-- CreateIndex
CREATE INDEX "spans_tenant_id_session_id_start_ns_idx" ON "spans"("tenant_id", "session_id", "start_ns");

-- CreateIndex
CREATE INDEX "session_metrics_tenant_id_at_idx" ON "session_metrics"("tenant_id", "at");

