-- Applied after the migrations (scripts/prisma-all.ts). The books cannot refund more than was charged.
ALTER TABLE charge DROP CONSTRAINT IF EXISTS charge_refund_within_amount;
ALTER TABLE charge ADD CONSTRAINT charge_refund_within_amount CHECK (amount_refunded >= 0 AND amount_refunded <= amount_minor);
ALTER TABLE refund DROP CONSTRAINT IF EXISTS refund_positive;
ALTER TABLE refund ADD CONSTRAINT refund_positive CHECK (amount_minor > 0)
