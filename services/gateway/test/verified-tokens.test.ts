import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Identity } from '@platform/shared/http/identity';
import { rememberVerified, type Verified } from '../src/verified-tokens.ts';

// The gateway verifies a token's signature once and remembers the identity for a while; these
// pin what "a while" may never exceed: the token's expiry, a minute, and a bounded number of tokens.
describe('tokens remembered once verified', () => {
  const identity: Identity = { sub: 'customer-1', role: 'customer', merchantId: null, scopes: ['orders:write'] };
  /** A verifier that counts its calls; tokens named 'bad…' are refused, each expires at `expiresAt`. */
  const counting = (expiresAt: () => number) => {
    const calls: string[] = [];
    const verify = async (token: string): Promise<Verified> => {
      calls.push(token);
      if (token.startsWith('bad')) throw new Error('invalid access token');
      return { identity: { ...identity, sub: token }, expiresAt: new Date(expiresAt()) };
    };
    return { calls, verify };
  };

  it('when a token comes twice, then its signature is checked once and both requests get the same identity', async () => {
    let now = 1_000_000;
    const { calls, verify } = counting(() => now + 300_000);
    const check = rememberVerified(verify, { maxEntries: 10, maxAgeMs: 60_000, now: () => now });
    const first = await check('token-a');
    now += 1_000;
    const second = await check('token-a');
    assert.deepEqual(second, first);
    assert.deepEqual(calls, ['token-a']);
    second.scopes.push('admin:everything');
    assert.deepEqual((await check('token-a')).scopes, ['orders:write'], 'a request cannot change what the next is told');
  });

  it('when the token has expired, or a minute has passed, then it is verified again', async () => {
    let now = 1_000_000;
    let expiry = now + 5_000;
    const { calls, verify } = counting(() => expiry);
    const check = rememberVerified(verify, { maxEntries: 10, maxAgeMs: 60_000, now: () => now });
    await check('short-lived');
    now += 5_000; // its exp
    await check('short-lived');
    assert.deepEqual(calls, ['short-lived', 'short-lived'], 'not honoured past its expiry');
    expiry = now + 600_000;
    await check('long-lived');
    now += 59_999;
    await check('long-lived');
    now += 1;
    await check('long-lived');
    assert.deepEqual(calls.filter((call) => call === 'long-lived').length, 2, 'remembered for a minute at most');
  });

  it('when a token is refused, then it is never remembered', async () => {
    const now = 1_000_000;
    const { calls, verify } = counting(() => now + 300_000);
    const check = rememberVerified(verify, { maxEntries: 10, maxAgeMs: 60_000, now: () => now });
    await assert.rejects(check('bad-token'), /invalid access token/);
    await assert.rejects(check('bad-token'), /invalid access token/);
    assert.equal(calls.length, 2);
  });

  it('when more tokens come than it may hold, then the oldest is forgotten first', async () => {
    const now = 1_000_000;
    const { calls, verify } = counting(() => now + 300_000);
    const check = rememberVerified(verify, { maxEntries: 3, maxAgeMs: 60_000, now: () => now });
    for (const token of ['t1', 't2', 't3', 't4']) await check(token);
    await check('t4');
    await check('t2');
    await check('t1');
    assert.deepEqual(calls, ['t1', 't2', 't3', 't4', 't1'], 't1 was dropped to make room for t4; t2 and t4 were still held');
  });
});
