-- Warm pools (lib/warm-pool): started sandboxes per template and shape, kept by runners and
-- claimed by creates; a session that took one names its sandbox in sandbox_id.
ALTER TABLE "sessions" ADD COLUMN "sandbox_id" TEXT;

-- CreateTable
CREATE TABLE "pooled_sandboxes" (
    "id" TEXT NOT NULL,
    "runner_id" TEXT NOT NULL,
    "template_id" TEXT NOT NULL,
    "rootfs" JSONB NOT NULL,
    "vcpu" DOUBLE PRECISION NOT NULL,
    "memory_mib" INTEGER NOT NULL,
    "disk_mib" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'starting',
    "session_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMP(3),
    "claimed_at" TIMESTAMP(3),

    CONSTRAINT "pooled_sandboxes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "pooled_sandboxes_session_id_key" ON "pooled_sandboxes"("session_id");

-- CreateIndex
CREATE INDEX "pooled_sandboxes_runner_id_status_idx" ON "pooled_sandboxes"("runner_id", "status");

-- CreateIndex
CREATE INDEX "pooled_sandboxes_template_id_status_idx" ON "pooled_sandboxes"("template_id", "status");

-- AddForeignKey
ALTER TABLE "pooled_sandboxes" ADD CONSTRAINT "pooled_sandboxes_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runners"("id") ON DELETE CASCADE ON UPDATE CASCADE;
