/**
 * Database per service: <prefix>_<service> on the server PG_URL (or DATABASE_URL) names.
 * The prefix (PG_DATABASE_PREFIX, default "platform") keeps the end-to-end tests' databases
 * apart from the ones `pnpm start` uses.
 */
export const PG_URL = process.env.PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrlFor(service: string, prefix = process.env.PG_DATABASE_PREFIX ?? 'platform'): string {
  const url = new URL(PG_URL);
  url.pathname = `/${prefix}_${service}`;
  return url.toString();
}

/** Migrated once per test run; every end-to-end test file clones its databases from these. */
export const E2E_TEMPLATE_PREFIX = 'e2etpl';
