import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { login, registerCustomer, tokenRequest } from './support/sessions.ts';
import { decodeJwt, signWithOtherKey, signWithPlatformKey, tamper, unsigned } from './support/forge.ts';

describe('access tokens, refresh families and the audit log', () => {
  let platform: TestPlatform;
  let gateway: string;
  let admin: string;
  const me = (token: string) => fetch(`${gateway}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  before(async () => {
    platform = await startTestPlatform();
    gateway = platform.url('gateway');
    admin = (await login(gateway, platform.secrets.adminEmail, platform.secrets.adminPassword)).accessToken;
  });
  after(async () => platform.stopAll());

  it('when a token is tampered, expired, signed by another key, unsigned or for another audience, then it is refused with 401 and WWW-Authenticate', async () => {
    const customer = await registerCustomer(gateway);
    assert.equal((await me(customer.accessToken)).status, 200, 'the genuine token works');
    const { payload, header } = decodeJwt(customer.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: String(payload.sub), role: 'customer', scope: 'orders:read' };
    const forged: Array<[string, string]> = [
      ['tampered (role raised to admin)', tamper(customer.accessToken, { role: 'admin' })],
      ['expired', await signWithPlatformKey(platform.secrets, claims, now - 60)],
      ['another audience', await signWithPlatformKey(platform.secrets, claims, now + 300, 'urn:someone-else')],
      ['signed by another key under the same kid', await signWithOtherKey(claims, String(header.kid))],
      ['alg: none', unsigned({ ...claims, iss: 'urn:platform:auth', aud: 'urn:platform:api', exp: now + 300 })],
      ['not a JWT', 'garbage'],
    ];
    for (const [what, token] of forged) {
      const answer = await me(token);
      assert.equal(answer.status, 401, what);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/, what);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/, what);
    }
    assert.equal((await fetch(`${gateway}/orders`)).status, 401, 'no token at all');
  });

  it('when the signing key rotates, then tokens signed before still verify until they expire, and new ones use the new key', async () => {
    const before = await registerCustomer(gateway);
    const rotated = await fetch(`${gateway}/auth/signing-keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(rotated.status, 201);
    const { kid } = (await rotated.json()) as { kid: string };
    assert.equal((await me(before.accessToken)).status, 200, 'the old key still verifies');
    const after = await login(gateway, before.email, before.password);
    assert.equal(decodeJwt(after.accessToken).header.kid, kid);
    assert.equal((await me(after.accessToken)).status, 200, 'the new key verifies');
  });

  it('when a refresh token is used twice, then its whole family is revoked: the thief and the owner both fail; a revoked token stops working', async () => {
    const customer = await registerCustomer(gateway);
    const refresh = (token: string) => tokenRequest(gateway, { grant_type: 'refresh_token', client_id: 'platform-web', refresh_token: token });
    const owner = await refresh(customer.refreshToken!);
    assert.equal(owner.status, 200);
    const thief = await refresh(customer.refreshToken!);
    assert.equal(thief.status, 400);
    assert.equal(thief.body.error, 'invalid_grant');
    const ownerAgain = await refresh(owner.body.refresh_token!);
    assert.equal(ownerAgain.status, 400, 'the family is revoked for the owner too');

    const other = await login(gateway, customer.email, customer.password);
    const revoked = await fetch(`${gateway}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: other.refreshToken!, client_id: 'platform-web' }).toString() });
    assert.equal(revoked.status, 200);
    assert.equal((await refresh(other.refreshToken!)).status, 400, 'a revoked refresh token no longer refreshes');
  });

  it('when logins fail, families are revoked and products are created, then the audit log says who did it', async () => {
    const customer = await registerCustomer(gateway);
    assert.equal((await tokenRequest(gateway, { grant_type: 'password', client_id: 'platform-web', username: customer.email, password: 'not-the-password' })).status, 400);
    const unknown = await tokenRequest(gateway, { grant_type: 'password', client_id: 'platform-web', username: 'nobody@example.com', password: 'whatever-it-is' });
    assert.equal(unknown.body.error, 'invalid_grant', 'an unknown user gets the same answer as a wrong password');
    const refresh = (token: string) => tokenRequest(gateway, { grant_type: 'refresh_token', client_id: 'platform-web', refresh_token: token });
    await refresh(customer.refreshToken!);
    await refresh(customer.refreshToken!);
    const merchant = await (await fetch(`${gateway}/merchants`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ name: 'Audit shop' }) })).json() as { id: string; clientId: string; clientSecret: string };
    const merchantToken = (await tokenRequest(gateway, { grant_type: 'client_credentials', client_id: merchant.clientId, client_secret: merchant.clientSecret })).body.access_token!;
    const product = await fetch(`${gateway}/products`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${merchantToken}` }, body: JSON.stringify({ sku: 'AUDIT-1', name: 'Audited', priceMinor: 100, currency: 'EUR', stock: 1 }) });
    assert.equal(product.status, 201);
    const { id: productId } = (await product.json()) as { id: string };

    const log = (await (await fetch(`${gateway}/audit-log?limit=1000`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { entries: Array<{ actor: string; action: string; target: string | null; service: string }> };
    const find = (action: string, target: string) => log.entries.find((entry) => entry.action === action && entry.target === target);
    assert.equal(find('login.failed', `customer:${customer.id}`)?.actor, 'anonymous');
    assert.equal(find('token.family_revoked', `user:${customer.id}`)?.service, 'auth');
    assert.equal(find('product.created', `product:${productId}`)?.actor, `merchant:${merchant.clientId}`);
    assert.equal(find('merchant.created', `merchant:${merchant.id}`)?.actor.startsWith('admin:'), true);
    assert.equal((await fetch(`${gateway}/audit-log`, { headers: { authorization: `Bearer ${merchantToken}` } })).status, 403, 'only admins read it');
    assert.ok(!JSON.stringify(log).includes(customer.email), 'no e-mail in the audit trail');
  });
});
