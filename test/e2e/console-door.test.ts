/**
 * The console's door over plain HTTP: who may open a session, and what a change without the
 * session's CSRF token, with a wrong one or from another site does (nothing). The pages behind
 * it are tested in a browser: console.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { registerCustomer } from './support/sessions.ts';

describe('the console door: admin sessions and CSRF', () => {
  const suite = platformForSuite();
  const gateway = () => suite.platform.url('gateway');
  const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway()}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ email, password }).toString() });
  const withCookie = (cookie: string, path: string, init: RequestInit = {}) => fetch(`${gateway()}${path}`, { redirect: 'manual', ...init, headers: { cookie, ...(init.headers as Record<string, string> | undefined) } });

  it("when a customer's or a wrong password signs in, or an admin's from another site, then no session opens and the console sends them to sign in", async () => {
    const customer = await registerCustomer(gateway());
    const refused = await signIn(customer.email, customer.password);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('set-cookie'), null);
    assert.match(await refused.text(), /for administrators/);
    const crossSite = await signIn(suite.platform.secrets.adminEmail, suite.platform.secrets.adminPassword, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403, "an admin's credentials posted from another site");
    assert.equal(crossSite.headers.get('set-cookie'), null);
    const wrong = await signIn(suite.platform.secrets.adminEmail, 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const door = await fetch(`${gateway()}/console`, { redirect: 'manual' });
    assert.equal(door.status, 303);
    assert.equal(door.headers.get('location'), '/console/login');
    assert.equal((await fetch(`${gateway()}/console/api/session`)).status, 401);
  });

  it('when an admin signs in, then the console opens; a sign-out without the CSRF token, with a wrong one or from another site changes nothing; with it the session ends', async () => {
    const answer = await signIn(suite.platform.secrets.adminEmail, suite.platform.secrets.adminPassword, { origin: gateway() });
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get('location'), '/console');
    const setCookie = answer.headers.get('set-cookie') ?? '';
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/console']) assert.ok(setCookie.includes(attribute), `${attribute} in ${setCookie}`);
    const cookie = setCookie.split(';')[0]!;

    const shell = await withCookie(cookie, '/console');
    assert.equal(shell.status, 200);
    assert.match(shell.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'; style-src 'self'.*form-action 'self'; frame-ancestors 'none'/);
    assert.match(await shell.text(), /<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/, 'the built front end');
    const session = async () => withCookie(cookie, '/console/api/session');
    const { role, csrfToken: csrf } = (await (await session()).json()) as { role: string; csrfToken: string };
    assert.equal(role, 'admin');

    const logout = (headers: Record<string, string>) => withCookie(cookie, '/console/logout', { method: 'POST', headers });
    assert.equal((await logout({})).status, 403, 'no token');
    assert.equal((await logout({ 'x-csrf-token': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` })).status, 403, 'a wrong token');
    assert.equal((await logout({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status, 403, 'another site');
    assert.equal((await session()).status, 200, 'the session is untouched');

    const out = await logout({ 'x-csrf-token': csrf });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await session()).status, 401, 'the session is gone');
  });
});
