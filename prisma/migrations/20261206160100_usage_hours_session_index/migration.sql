-- CreateIndex
CREATE INDEX "usage_hours_tenant_id_session_id_idx" ON "usage_hours"("tenant_id", "session_id");
