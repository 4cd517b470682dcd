-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'ORDER';

