-- AlterTable
ALTER TABLE "webhook_delivery" ADD COLUMN     "manual" BOOLEAN NOT NULL DEFAULT false;

