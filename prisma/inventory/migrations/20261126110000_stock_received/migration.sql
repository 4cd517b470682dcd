-- AlterTable
ALTER TABLE "product" ADD COLUMN     "stock_received" INTEGER NOT NULL DEFAULT 0;


-- What each product was given so far is what it holds in its three counters now.
UPDATE "product" SET "stock_received" = "available" + "reserved" + "sold";
