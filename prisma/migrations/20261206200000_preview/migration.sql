-- AlterTable: where the preview proxy reaches a sandbox (written by its runner while it has a
-- network and a container), and the ports its owner made public (no preview token needed).
ALTER TABLE "sessions" ADD COLUMN     "public_ports" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "sandbox_address" TEXT;

-- CreateTable: preview tokens (hash only; the secret is shown once).
CREATE TABLE "preview_tokens" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preview_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "preview_tokens_token_hash_key" ON "preview_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "preview_tokens_tenant_id_session_id_idx" ON "preview_tokens"("tenant_id", "session_id");

-- AddForeignKey
ALTER TABLE "preview_tokens" ADD CONSTRAINT "preview_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
