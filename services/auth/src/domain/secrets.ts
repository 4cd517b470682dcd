import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets and refresh tokens are 256-bit random values, so a SHA-256 hash stores them
 * safely (no dictionary to try); passwords, chosen by people, get bcrypt instead.
 */
export const newSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function secretMatches(secret: string, hash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
