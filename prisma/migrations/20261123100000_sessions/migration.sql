-- CreateEnum
CREATE TYPE "SessionState" AS ENUM ('pending', 'starting', 'running', 'paused', 'hibernating', 'hibernated', 'terminating', 'terminated', 'failed');

-- CreateTable
CREATE TABLE "runners" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "vcpu" DOUBLE PRECISION NOT NULL,
    "memory_mib" INTEGER NOT NULL,
    "gpus" INTEGER NOT NULL DEFAULT 0,
    "gpu_type" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "capabilities" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'online',
    "last_heartbeat_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "runners_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "templates" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rootfs" JSONB NOT NULL,
    "vcpu" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "memory_mib" INTEGER NOT NULL DEFAULT 512,
    "disk_mib" INTEGER NOT NULL DEFAULT 2048,
    "gpus" INTEGER NOT NULL DEFAULT 0,
    "env" JSONB NOT NULL DEFAULT '{}',
    "pause_after_seconds" INTEGER,
    "hibernate_after_seconds" INTEGER,
    "max_lifetime_seconds" INTEGER NOT NULL DEFAULT 28800,
    "retention_days" INTEGER NOT NULL DEFAULT 7,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "template_id" TEXT,
    "template_name" TEXT NOT NULL,
    "rootfs" JSONB NOT NULL,
    "runner_id" TEXT,
    "state" "SessionState" NOT NULL DEFAULT 'pending',
    "desired_state" TEXT NOT NULL DEFAULT 'running',
    "desired_cause" TEXT NOT NULL DEFAULT 'api',
    "vcpu" DOUBLE PRECISION NOT NULL,
    "memory_mib" INTEGER NOT NULL,
    "disk_mib" INTEGER NOT NULL,
    "gpus" INTEGER NOT NULL DEFAULT 0,
    "env" JSONB NOT NULL DEFAULT '{}',
    "labels" JSONB NOT NULL DEFAULT '{}',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "pause_after_seconds" INTEGER,
    "hibernate_after_seconds" INTEGER,
    "max_lifetime_seconds" INTEGER NOT NULL,
    "retention_days" INTEGER NOT NULL DEFAULT 7,
    "lifetime_used_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "last_activity_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state_changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "failure_reason" TEXT,
    "snapshot_id" TEXT,
    "from_snapshot_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "terminated_at" TIMESTAMP(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_events" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshots" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "session_id" TEXT,
    "parent_id" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'filesystem',
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ready',
    "manifest_hash" TEXT,
    "logical_bytes" BIGINT NOT NULL DEFAULT 0,
    "stored_bytes" BIGINT NOT NULL DEFAULT 0,
    "file_count" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_quotas" (
    "tenant_id" TEXT NOT NULL,
    "max_running_sessions" INTEGER NOT NULL,
    "max_vcpu" DOUBLE PRECISION NOT NULL,
    "max_memory_mib" INTEGER NOT NULL,
    "max_snapshot_bytes" BIGINT NOT NULL,
    "max_lifetime_seconds" INTEGER NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_quotas_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "runners_name_key" ON "runners"("name");

-- CreateIndex
CREATE UNIQUE INDEX "templates_tenant_id_name_key" ON "templates"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "sessions_tenant_id_id_idx" ON "sessions"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "sessions_tenant_id_state_idx" ON "sessions"("tenant_id", "state");

-- CreateIndex
CREATE INDEX "sessions_runner_id_state_idx" ON "sessions"("runner_id", "state");

-- CreateIndex
CREATE INDEX "sessions_state_last_activity_at_idx" ON "sessions"("state", "last_activity_at");

-- CreateIndex
CREATE INDEX "session_events_session_id_id_idx" ON "session_events"("session_id", "id");

-- CreateIndex
CREATE INDEX "session_events_tenant_id_created_at_idx" ON "session_events"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "snapshots_tenant_id_id_idx" ON "snapshots"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "snapshots_session_id_idx" ON "snapshots"("session_id");

-- CreateIndex
CREATE INDEX "snapshots_expires_at_idx" ON "snapshots"("expires_at");

-- AddForeignKey
ALTER TABLE "templates" ADD CONSTRAINT "templates_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runners"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_events" ADD CONSTRAINT "session_events_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_quotas" ADD CONSTRAINT "tenant_quotas_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

