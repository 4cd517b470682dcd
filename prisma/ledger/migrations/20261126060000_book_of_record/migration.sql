-- DropForeignKey
ALTER TABLE "posting" DROP CONSTRAINT "posting_entry_id_fkey";

-- DropTable
DROP TABLE "journal_entry";

-- DropTable
DROP TABLE "posting";

-- CreateTable
CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "owner_key" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "slots" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_balance" (
    "account_id" UUID NOT NULL,
    "slot" INTEGER NOT NULL,
    "debits_posted" BIGINT NOT NULL DEFAULT 0,
    "credits_posted" BIGINT NOT NULL DEFAULT 0,
    "debits_pending" BIGINT NOT NULL DEFAULT 0,
    "credits_pending" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "account_balance_pkey" PRIMARY KEY ("account_id","slot")
);

-- CreateTable
CREATE TABLE "transfer" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "reverses_id" TEXT,
    "order_id" UUID,
    "customer_id" UUID,
    "merchant_id" UUID,
    "event_id" TEXT,
    "correlation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_posting" (
    "id" BIGSERIAL NOT NULL,
    "transfer_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "currency" TEXT NOT NULL,
    "debit_minor" BIGINT NOT NULL,
    "credit_minor" BIGINT NOT NULL,

    CONSTRAINT "ledger_posting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "merchant_fee" (
    "merchant_id" UUID NOT NULL,
    "bps" INTEGER NOT NULL,
    "fixed_minor" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "merchant_fee_pkey" PRIMARY KEY ("merchant_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "account_type_owner_key_currency_key" ON "account"("type", "owner_key", "currency");

-- CreateIndex
CREATE INDEX "transfer_order_id_idx" ON "transfer"("order_id");

-- CreateIndex
CREATE INDEX "transfer_reverses_id_idx" ON "transfer"("reverses_id");

-- CreateIndex
CREATE INDEX "ledger_posting_account_id_id_idx" ON "ledger_posting"("account_id", "id");

-- CreateIndex
CREATE INDEX "ledger_posting_transfer_id_idx" ON "ledger_posting"("transfer_id");

-- AddForeignKey
ALTER TABLE "ledger_posting" ADD CONSTRAINT "ledger_posting_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

