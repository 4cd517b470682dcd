/**
 * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP): every refresh returns a
 * new token of the same family and retires the old one. A retired token presented again means
 * it was copied: the whole family is revoked, so neither the thief nor the owner can go on.
 */
import type { AuthStore, RefreshTokenRecord } from './ports.ts';
import { hashSecret } from './secrets.ts';

async function revokeFamily(store: AuthStore, record: RefreshTokenRecord, why: string): Promise<void> {
  const revoked = await store.revokeFamily(record.familyId);
  if (revoked > 0) await store.audit({ actor: why === 'revoked_by_client' ? `client:${record.clientId}` : 'service:auth', action: 'token.family_revoked', target: `user:${record.userId}`, outcome: 'success', details: { familyId: record.familyId, reason: why } });
}

/** The token's record if it may be used now; null (and a revoked family, on reuse) otherwise. */
export async function findUsableRefreshToken(store: AuthStore, token: string, now: Date): Promise<RefreshTokenRecord | null> {
  const record = await store.findRefreshToken(hashSecret(token));
  if (!record) return null;
  if (record.status === 'rotated') {
    await revokeFamily(store, record, 'reuse_detected');
    return null;
  }
  return record.status === 'active' && record.expiresAt > now ? record : null;
}

/** Retires the token as it is exchanged; two exchanges racing with one token count as reuse. */
export async function retireRefreshToken(store: AuthStore, token: string, record: RefreshTokenRecord): Promise<boolean> {
  if (await store.markRotated(hashSecret(token))) return true;
  await revokeFamily(store, record, 'reuse_detected');
  return false;
}

/** RFC 7009: revoking a refresh token revokes its family; unknown tokens are not an error. */
export async function revokeRefreshToken(store: AuthStore, token: string, clientId: string): Promise<void> {
  const record = await store.findRefreshToken(hashSecret(token));
  if (!record || record.clientId !== clientId) return;
  await revokeFamily(store, record, 'revoked_by_client');
}

export const refreshTokenHash = hashSecret;
