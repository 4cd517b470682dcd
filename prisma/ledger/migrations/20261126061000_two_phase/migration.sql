-- AlterTable
ALTER TABLE "ledger_posting" ADD COLUMN     "pending" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "transfer" ADD COLUMN     "pending_id" TEXT,
ADD COLUMN     "timeout_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "transfer_pending_id_key" ON "transfer"("pending_id");

-- CreateIndex
CREATE INDEX "transfer_timeout_at_idx" ON "transfer"("timeout_at");

