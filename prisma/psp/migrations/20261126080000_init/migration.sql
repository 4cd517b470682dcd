-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "charge" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "method_type" TEXT NOT NULL,
    "card_brand" TEXT,
    "card_last4" TEXT,
    "upi_vpa" TEXT,
    "status" TEXT NOT NULL,
    "failure_code" TEXT,
    "confirm_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "amount_refunded" BIGINT NOT NULL DEFAULT 0,
    "reference" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refund" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "charge_id" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transient_failure" (
    "idempotency_key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transient_failure_pkey" PRIMARY KEY ("idempotency_key")
);

-- CreateTable
CREATE TABLE "webhook_event" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "delivered_at" TIMESTAMPTZ(3),
    "abandoned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "charge_idempotency_key_key" ON "charge"("idempotency_key");

-- CreateIndex
CREATE INDEX "charge_status_confirm_at_idx" ON "charge"("status", "confirm_at");

-- CreateIndex
CREATE INDEX "charge_status_expires_at_idx" ON "charge"("status", "expires_at");

-- CreateIndex
CREATE INDEX "charge_created_at_idx" ON "charge"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "refund_idempotency_key_key" ON "refund"("idempotency_key");

-- CreateIndex
CREATE INDEX "refund_charge_id_idx" ON "refund"("charge_id");

-- CreateIndex
CREATE INDEX "refund_created_at_idx" ON "refund"("created_at");

-- CreateIndex
CREATE INDEX "webhook_event_delivered_at_next_attempt_at_idx" ON "webhook_event"("delivered_at", "next_attempt_at");

