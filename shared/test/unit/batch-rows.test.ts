import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidsNamed } from '../../src/consumer/batch-rows.ts';
import type { Envelope } from '../../src/envelope.ts';

const message = (type: string, data: unknown) => ({ type, data }) as unknown as Envelope;

describe('the ids a batch names for its row locks', () => {
  it('when a field holds a malformed id, is missing, or the message is of another type, then it is left out, never cast', () => {
    const id = '0b9e4a52-8d43-4f1e-9a7c-3f1f2b6d8e01';
    const batch = [message('a.v1', { productId: id }), message('a.v1', { productId: 'not-a-uuid' }), message('a.v1', {}), message('a.v1', null), message('b.v1', { productId: id.toUpperCase() })];
    assert.deepEqual(uuidsNamed(batch, 'productId'), [id, id.toUpperCase()]);
    assert.deepEqual(uuidsNamed(batch, 'productId', 'b.v1'), [id.toUpperCase()]);
  });
});
