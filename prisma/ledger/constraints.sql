-- Applied idempotently after migrations by `pnpm db:migrate` (see prisma/inventory/constraints.sql).
-- A posting is a debit or a credit of a positive amount, never both, never negative.
ALTER TABLE ledger_posting DROP CONSTRAINT IF EXISTS posting_one_sided;
ALTER TABLE ledger_posting ADD CONSTRAINT posting_one_sided CHECK ((debit_minor > 0 AND credit_minor = 0) OR (debit_minor = 0 AND credit_minor > 0));
-- Transfers and postings are immutable, whoever asks (the table owner and superusers included):
-- a mistake is corrected by a reversing transfer.
CREATE OR REPLACE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is immutable: record a reversing transfer instead', TG_TABLE_NAME;
END;
$$;
DROP TRIGGER IF EXISTS transfer_immutable ON transfer;
CREATE TRIGGER transfer_immutable BEFORE UPDATE OR DELETE ON transfer FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
DROP TRIGGER IF EXISTS transfer_no_truncate ON transfer;
CREATE TRIGGER transfer_no_truncate BEFORE TRUNCATE ON transfer FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
DROP TRIGGER IF EXISTS ledger_posting_immutable ON ledger_posting;
CREATE TRIGGER ledger_posting_immutable BEFORE UPDATE OR DELETE ON ledger_posting FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
DROP TRIGGER IF EXISTS ledger_posting_no_truncate ON ledger_posting;
CREATE TRIGGER ledger_posting_no_truncate BEFORE TRUNCATE ON ledger_posting FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
-- The role the ledger service runs as in production (LOGIN and a password are the operator's to
-- give): it may read and add to the books, update balance rows, but never change or remove a
-- transfer, a posting or an audit entry.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_service') THEN CREATE ROLE ledger_service NOLOGIN; END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ledger_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ledger_service;
REVOKE UPDATE, DELETE, TRUNCATE ON transfer, ledger_posting, audit_log FROM ledger_service;
