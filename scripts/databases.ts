/** Database per service: platform_<service> on the server PG_URL names. */
export const PG_URL = process.env.PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrlFor(service: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/platform_${service}`;
  return url.toString();
}
