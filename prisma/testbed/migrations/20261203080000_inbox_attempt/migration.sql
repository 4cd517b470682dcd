-- The delivery that applied each message (1: the first), so the console can mark retried steps.
ALTER TABLE "inbox" ADD COLUMN     "attempt" SMALLINT NOT NULL DEFAULT 1;
