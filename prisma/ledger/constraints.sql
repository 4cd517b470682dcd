-- Applied idempotently after migrations by `pnpm db:migrate` (see prisma/inventory/constraints.sql).
-- A posting is a debit or a credit of a positive amount, never both, never negative.
ALTER TABLE posting DROP CONSTRAINT IF EXISTS posting_one_sided;
ALTER TABLE posting ADD CONSTRAINT posting_one_sided CHECK ((debit_minor > 0 AND credit_minor = 0) OR (debit_minor = 0 AND credit_minor > 0));
