import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { bodyReader } from '../../src/http/body-reader.ts';
import { encodeIdentity } from '../../src/http/identity.ts';
import { internalAuth, signInternalRequest } from '../../src/http/internal-auth.ts';

const SECRET = 'a-test-secret-that-is-long-enough-1234';

describe('internal call signatures', () => {
  let server: Server;
  let base: string;
  before(async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = (error as { kind?: string }).kind === 'unauthorized' ? 401 : 500;
      }
    });
    app.use(bodyReader({ limit: 1024 }));
    app.use(internalAuth({ secret: SECRET, metricsToken: 'scraper-token-0123456789' }));
    app.use((ctx) => {
      ctx.body = { caller: ctx.state.caller as string, identity: ctx.state.identity as unknown };
    });
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  const call = (path: string, headers: Record<string, string>, body?: string) => fetch(`${base}${path}`, { method: body ? 'POST' : 'GET', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { body } : {}) });

  it('when a call is signed with the secret, then it is answered with the caller and the identity it carries, once', async () => {
    const identity = encodeIdentity({ sub: 'u1', role: 'customer', merchantId: null, scopes: [] });
    const headers = signInternalRequest(SECRET, 'gateway', { method: 'POST', path: '/x?y=1', body: Buffer.from('{"a":1}'), identity });
    const answer = await call('/x?y=1', headers, '{"a":1}');
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { caller: 'gateway', identity: { sub: 'u1', role: 'customer', merchantId: null, scopes: [] } });
    assert.equal((await call('/x?y=1', headers, '{"a":1}')).status, 401, 'replayed');
  });

  it('when anything signed is changed (body, path, identity) or the secret is wrong, then it is refused', async () => {
    const identity = encodeIdentity({ sub: 'u1', role: 'customer', merchantId: null, scopes: [] });
    const admin = encodeIdentity({ sub: 'u1', role: 'admin', merchantId: null, scopes: [] });
    assert.equal((await call('/x', signInternalRequest(SECRET, 'gateway', { method: 'POST', path: '/x', body: Buffer.from('{"a":1}') }), '{"a":2}')).status, 401, 'body');
    assert.equal((await call('/y', signInternalRequest(SECRET, 'gateway', { method: 'GET', path: '/x' }))).status, 401, 'path');
    assert.equal((await call('/x', { ...signInternalRequest(SECRET, 'gateway', { method: 'GET', path: '/x', identity }), 'x-platform-identity': admin })).status, 401, 'identity raised');
    assert.equal((await call('/x', signInternalRequest('another-secret-that-is-long-enough-99', 'gateway', { method: 'GET', path: '/x' }))).status, 401, 'secret');
    assert.equal((await call('/x', {})).status, 401, 'unsigned');
  });

  it('when /health is asked, or /metrics with the scraper token, then no signature is needed', async () => {
    assert.equal((await call('/health', {})).status, 200);
    assert.equal((await call('/metrics', { authorization: 'Bearer scraper-token-0123456789' })).status, 200);
    assert.equal((await call('/metrics', { authorization: 'Bearer wrong' })).status, 401);
  });
});
