import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticateUser } from '../src/domain/authenticate-user.ts';
import { countingHasher, memoryStore } from './memory-store.ts';

describe('password login', () => {
  it('when the e-mail is unknown or the password wrong, then both get the same answer after one comparison each, and both are audited', async () => {
    const { store, users, audit } = memoryStore();
    const { hasher, compared } = countingHasher();
    users.set('u1', { id: 'u1', email: 'ada@example.com', role: 'customer', merchantId: null, passwordHash: 'hashed:right-password' });
    assert.equal(await authenticateUser(store, hasher, 'nobody@example.com', 'right-password'), null);
    assert.equal(await authenticateUser(store, hasher, 'ada@example.com', 'wrong-password'), null);
    assert.deepEqual(compared, [null, 'hashed:right-password'], 'an unknown user is still compared (against the dummy hash)');
    assert.deepEqual(audit.map((entry) => [entry.action, entry.target]), [['login.failed', null], ['login.failed', 'customer:u1']]);
  });

  it('when the password is right, then the user is returned without its hash, and the login is audited', async () => {
    const { store, users, audit } = memoryStore();
    users.set('u1', { id: 'u1', email: 'ada@example.com', role: 'customer', merchantId: null, passwordHash: 'hashed:right-password' });
    const user = await authenticateUser(store, countingHasher().hasher, 'ada@example.com', 'right-password');
    assert.deepEqual(user, { id: 'u1', email: 'ada@example.com', role: 'customer', merchantId: null });
    assert.equal(audit[0]?.action, 'login.succeeded');
  });
});
