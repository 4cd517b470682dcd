import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUsableRefreshToken, refreshTokenHash, retireRefreshToken, revokeRefreshToken } from '../src/domain/refresh-tokens.ts';
import type { RefreshTokenRecord } from '../src/domain/ports.ts';
import { memoryStore } from './memory-store.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const record = (id: string, status: RefreshTokenRecord['status'] = 'active'): RefreshTokenRecord => ({ id, familyId: 'family-1', userId: 'u1', clientId: 'platform-web', scope: [], status, expiresAt: new Date('2026-12-01T00:00:00Z') });

describe('refresh-token rotation', () => {
  it('when a rotated token is presented again, then the whole family is revoked and audited', async () => {
    const { store, tokens, audit } = memoryStore();
    tokens.set(refreshTokenHash('old'), record('1', 'rotated'));
    tokens.set(refreshTokenHash('new'), record('2'));
    assert.equal(await findUsableRefreshToken(store, 'old', NOW), null);
    assert.equal(tokens.get(refreshTokenHash('new'))?.status, 'revoked', "the owner's current token dies too");
    assert.equal(audit[0]?.action, 'token.family_revoked');
  });

  it('when two exchanges race with one token, then only one wins and the family is revoked', async () => {
    const { store, tokens } = memoryStore();
    tokens.set(refreshTokenHash('t'), record('1'));
    const found = await findUsableRefreshToken(store, 't', NOW);
    assert.ok(found);
    const outcomes = await Promise.all([retireRefreshToken(store, 't', found), retireRefreshToken(store, 't', found)]);
    assert.deepEqual(outcomes.sort(), [false, true]);
    assert.equal(tokens.get(refreshTokenHash('t'))?.status, 'revoked');
  });

  it('when a token is expired, unknown, or revoked by another client, then it is not usable or not touched', async () => {
    const { store, tokens } = memoryStore();
    tokens.set(refreshTokenHash('expired'), { ...record('1'), expiresAt: new Date('2026-11-01T00:00:00Z') });
    assert.equal(await findUsableRefreshToken(store, 'expired', NOW), null);
    assert.equal(await findUsableRefreshToken(store, 'unknown', NOW), null);
    tokens.set(refreshTokenHash('mine'), record('2'));
    await revokeRefreshToken(store, 'mine', 'someone-else');
    assert.equal(tokens.get(refreshTokenHash('mine'))?.status, 'active');
    await revokeRefreshToken(store, 'mine', 'platform-web');
    assert.equal(tokens.get(refreshTokenHash('mine'))?.status, 'revoked');
  });
});
