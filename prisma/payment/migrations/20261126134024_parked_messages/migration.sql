-- CreateTable
CREATE TABLE "parked_message" (
    "seq" BIGSERIAL NOT NULL,
    "consumer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "content" TEXT,
    "publisher" TEXT,
    "parked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parked_message_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "parked_message_consumer_subject_seq_idx" ON "parked_message"("consumer", "subject", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "parked_message_consumer_message_id_key" ON "parked_message"("consumer", "message_id");

