-- Applied after the migrations (scripts/prisma-all.ts): refunds never exceed what was captured.
ALTER TABLE payment DROP CONSTRAINT IF EXISTS payment_refunds_within_capture;
ALTER TABLE payment ADD CONSTRAINT payment_refunds_within_capture CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor);
ALTER TABLE payment_refund DROP CONSTRAINT IF EXISTS payment_refund_positive;
ALTER TABLE payment_refund ADD CONSTRAINT payment_refund_positive CHECK (amount_minor > 0)
