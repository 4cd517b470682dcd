-- Applied idempotently after migrations by `pnpm db:migrate` (Prisma cannot express a partial index).
-- The deadline sweeper's question — which orders are still open, oldest first — without
-- walking every finished order.
CREATE INDEX IF NOT EXISTS orders_open_by_age ON orders (created_at) WHERE status NOT IN ('COMPLETED', 'CANCELLED');
