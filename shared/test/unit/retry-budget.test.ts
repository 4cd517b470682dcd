import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETRY_DELAYS_MS, RETRY_JITTER_FLOOR } from '../../src/amqp/platform-topology.ts';
import { baseServiceConfig } from '../../src/service/base-config.ts';

const MINUTE = 60_000;

describe('the retry budget', () => {
  it('when a message keeps failing for a transient reason, then it is retried for at least 30 minutes (jitter included) before the DLQ, from about a second up to minutes apart', () => {
    const shortest = DEFAULT_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay * RETRY_JITTER_FLOOR, 0);
    assert.ok(shortest >= 30 * MINUTE, `${Math.round(shortest / MINUTE)} minutes`);
    assert.equal(DEFAULT_RETRY_DELAYS_MS[0], 1_000);
    assert.ok(DEFAULT_RETRY_DELAYS_MS.every((delay, index) => index === 0 || delay >= DEFAULT_RETRY_DELAYS_MS[index - 1]!), 'never shrinking');
    assert.ok(Math.max(...DEFAULT_RETRY_DELAYS_MS) >= 10 * MINUTE);
  });

  it('when RETRY_DELAYS_MS is set, then a service uses that schedule instead', () => {
    const shape = baseServiceConfig.shape.RETRY_DELAYS_MS;
    assert.deepEqual(shape.parse('200,500,1000'), [200, 500, 1000]);
    assert.deepEqual(shape.parse(undefined), [...DEFAULT_RETRY_DELAYS_MS]);
    assert.throws(() => shape.parse('1s,2s'));
  });
});
