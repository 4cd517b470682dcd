import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fieldCipher, keyringSchema } from '../../src/crypto/field-cipher.ts';

const key = () => randomBytes(32).toString('base64');

describe('field encryption at rest', () => {
  const indexKey = randomBytes(32);
  const oldRing = keyringSchema.parse(`old:${key()}`);
  const oldKey = oldRing.get('old')!.toString('base64');

  it('when a value is encrypted, then it is ciphertext naming its key, and a fresh IV makes equal values differ', () => {
    const cipher = fieldCipher(oldRing, indexKey);
    const a = cipher.encrypt('ada@example.com', 'orders.customer_email');
    assert.match(a, /^enc1\.old\./);
    assert.ok(!a.includes('ada'));
    assert.notEqual(a, cipher.encrypt('ada@example.com', 'orders.customer_email'));
    assert.equal(cipher.decrypt(a, 'orders.customer_email'), 'ada@example.com');
  });

  it('when keys rotate, then new values use the newest key and values under the old key still read', () => {
    const written = fieldCipher(oldRing, indexKey).encrypt('tok_visa', 'payment_intent.card_token');
    const rotated = fieldCipher(keyringSchema.parse(`new:${key()},old:${oldKey}`), indexKey);
    assert.equal(rotated.decrypt(written, 'payment_intent.card_token'), 'tok_visa');
    assert.match(rotated.encrypt('tok_visa', 'payment_intent.card_token'), /^enc1\.new\./);
  });

  it('when a value is moved to another column, tampered with, or its key is gone, then it does not decrypt', () => {
    const cipher = fieldCipher(oldRing, indexKey);
    const sealed = cipher.encrypt('ada@example.com', 'orders.customer_email');
    assert.throws(() => cipher.decrypt(sealed, 'notification.recipient'));
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => cipher.decrypt([...parts.slice(0, 3), flipped.toString('base64url')].join('.'), 'orders.customer_email'));
    assert.throws(() => fieldCipher(keyringSchema.parse(`other:${key()}`), indexKey).decrypt(sealed, 'orders.customer_email'), /unknown format or key/);
  });

  it('when keys are malformed, then configuration refuses them', () => {
    assert.equal(keyringSchema.safeParse('k1:c2hvcnQ=').success, false);
    assert.equal(keyringSchema.safeParse('no-colon').success, false);
  });
});
