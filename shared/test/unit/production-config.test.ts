import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSafeForProduction } from '../../src/service/base-config.ts';

describe('starting in production', () => {
  it('when the broker credentials are the defaults and NODE_ENV is production, then the service refuses to start', () => {
    assert.throws(() => assertSafeForProduction({ NODE_ENV: 'production', AMQP_URL: 'amqp://guest:guest@rabbit:5672' }), /default RabbitMQ credentials/);
    assert.throws(() => assertSafeForProduction({ NODE_ENV: 'production', AMQP_URL: 'amqp://rabbit:5672' }), /default RabbitMQ credentials/);
  });

  it('when a service has its own broker user, or runs in development, then it starts', () => {
    assert.doesNotThrow(() => assertSafeForProduction({ NODE_ENV: 'production', AMQP_URL: 'amqp://payment:s3cret@rabbit:5672' }));
    assert.doesNotThrow(() => assertSafeForProduction({ NODE_ENV: 'development', AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' }));
  });
});
