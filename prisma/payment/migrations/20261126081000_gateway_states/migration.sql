-- AlterTable
ALTER TABLE "payment" DROP COLUMN "refund_id",
ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cause_event_id" TEXT,
ADD COLUMN     "correlation_id" TEXT,
ADD COLUMN     "hold_expires_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'CARD',
ADD COLUMN     "method_summary" TEXT,
ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3),
ADD COLUMN     "refunded_minor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "traceparent" TEXT;

-- Payments refunded before partial refunds existed were refunded in full.
UPDATE "payment" SET "refunded_minor" = "amount_minor" WHERE "status" = 'REFUNDED';

-- AlterTable
ALTER TABLE "payment_intent" ADD COLUMN     "method" TEXT NOT NULL DEFAULT 'CARD',
ADD COLUMN     "upi_vpa_encrypted" TEXT;

-- DropTable
DROP TABLE "gateway_operation";

-- CreateTable
CREATE TABLE "payment_state_change" (
    "id" BIGSERIAL NOT NULL,
    "payment_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "detail" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_state_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_refund" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "gateway_refund_id" TEXT,
    "requested_by" TEXT NOT NULL,
    "cause_event_id" TEXT,
    "correlation_id" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateway_call" (
    "id" BIGSERIAL NOT NULL,
    "payment_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateway_webhook_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_webhook_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" TEXT,
    "locked_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "payment_state_change_payment_id_id_idx" ON "payment_state_change"("payment_id", "id");

-- CreateIndex
CREATE INDEX "payment_refund_payment_id_idx" ON "payment_refund"("payment_id");

-- CreateIndex
CREATE INDEX "payment_refund_status_next_attempt_at_idx" ON "payment_refund"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "gateway_call_payment_id_id_idx" ON "gateway_call"("payment_id", "id");

-- CreateIndex
CREATE INDEX "gateway_webhook_event_received_at_idx" ON "gateway_webhook_event"("received_at");

-- CreateIndex
CREATE INDEX "idempotency_record_created_at_idx" ON "idempotency_record"("created_at");

-- CreateIndex
CREATE INDEX "payment_status_next_attempt_at_idx" ON "payment"("status", "next_attempt_at");

