-- Applied idempotently after migrations by `pnpm db:migrate` (Prisma's offline schema engine
-- crashes when it introspects CHECK constraints, so they cannot live in its migrations).
-- The last line of defence against overselling: no transaction can commit negative stock.
ALTER TABLE product DROP CONSTRAINT IF EXISTS product_available_nonnegative;
ALTER TABLE product ADD CONSTRAINT product_available_nonnegative CHECK (available >= 0);
ALTER TABLE product DROP CONSTRAINT IF EXISTS product_reserved_nonnegative;
ALTER TABLE product ADD CONSTRAINT product_reserved_nonnegative CHECK (reserved >= 0);
ALTER TABLE product DROP CONSTRAINT IF EXISTS product_sold_nonnegative;
ALTER TABLE product ADD CONSTRAINT product_sold_nonnegative CHECK (sold >= 0);
ALTER TABLE reservation DROP CONSTRAINT IF EXISTS reservation_quantity_positive;
ALTER TABLE reservation ADD CONSTRAINT reservation_quantity_positive CHECK (quantity > 0);
-- Stock is conserved: every move is between the three counters, so their sum never changes.
ALTER TABLE product DROP CONSTRAINT IF EXISTS product_stock_conserved;
ALTER TABLE product ADD CONSTRAINT product_stock_conserved CHECK (available + reserved + sold = stock_received);
