-- CreateTable
CREATE TABLE "reconciliation_report" (
    "id" UUID NOT NULL,
    "day" TEXT NOT NULL,
    "ran_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requested_by" TEXT NOT NULL,
    "mismatch_count" INTEGER NOT NULL,
    "repaired_count" INTEGER NOT NULL,
    "body" JSONB NOT NULL,

    CONSTRAINT "reconciliation_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconciliation_report_ran_at_idx" ON "reconciliation_report"("ran_at");

-- CreateIndex
CREATE INDEX "reconciliation_report_day_ran_at_idx" ON "reconciliation_report"("day", "ran_at");

-- CreateIndex
CREATE INDEX "payment_created_at_idx" ON "payment"("created_at");

