-- CreateTable
CREATE TABLE "card" (
    "token" TEXT NOT NULL,
    "customer_id" UUID NOT NULL,
    "number_encrypted" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "exp_month" INTEGER NOT NULL,
    "exp_year" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_pkey" PRIMARY KEY ("token")
);

-- CreateIndex
CREATE INDEX "card_customer_id_idx" ON "card"("customer_id");

