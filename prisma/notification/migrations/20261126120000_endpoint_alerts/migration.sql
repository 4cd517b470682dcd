-- AlterTable
ALTER TABLE "webhook_endpoint" ADD COLUMN     "alert_email_encrypted" TEXT;

