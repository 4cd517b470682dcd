-- CreateTable
CREATE TABLE "event_history" (
    "event_id" UUID NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "causation_id" TEXT,
    "correlation_id" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3),
    "data" TEXT NOT NULL,

    CONSTRAINT "event_history_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "event_history_aggregate_id_time_idx" ON "event_history"("aggregate_id", "time");

-- CreateIndex
CREATE INDEX "event_history_time_idx" ON "event_history"("time");

