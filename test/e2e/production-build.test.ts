import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { buildAll } from '../../scripts/build.ts';
import { buildConsole } from '../../scripts/build-console.ts';
import { signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';

describe('the production build', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    await buildAll();
    await buildConsole();
    platform = await startTestPlatform({}, { built: true });
    api = await signedInClient(platform);
  });
  after(async () => platform?.stopAll());

  it('when every process runs from dist/ with plain node, then an order goes through the whole saga', async () => {
    // What runs is the build: each process's command line names its bundle, none names tsx.
    for (const name of ['order', 'payment', 'relay', 'gateway'] as const) {
      const commandLine = readFileSync(`/proc/${platform.pidOf(name)}/cmdline`, 'utf8').split('\0');
      assert.ok(commandLine.some((arg) => arg.endsWith(`dist/${name}/main.mjs`)), `${name} runs its bundle: ${commandLine.join(' ')}`);
      assert.ok(!commandLine.includes('tsx'), `${name} runs without tsx`);
    }
    const productId = await api.createProduct({ stock: 4 });
    const orderId = await api.placeOrder(productId, { quantity: 2 });
    assert.equal((await api.finalOrder(orderId)).status, 'COMPLETED');
    assert.deepEqual(stockOf(await api.product(productId)), { available: 2, reserved: 0, sold: 2 });
  });

  it('when the bundled gateway is asked for the console, then it serves the built page and its assets', async () => {
    const gateway = platform.url('gateway');
    const signIn = await fetch(`${gateway}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: platform.secrets.adminEmail, password: platform.secrets.adminPassword }).toString() });
    assert.equal(signIn.status, 303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await fetch(`${gateway}/console`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const script = /src="(\/console\/assets\/index-[\w-]+\.js)"/.exec(await page.text())?.[1];
    assert.ok(script, 'the page names its built script');
    const asset = await fetch(`${gateway}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${gateway}/console/assets/index.html`)).status, 404, 'only scripts, styles and images of the build');
    assert.equal((await fetch(`${gateway}/console/assets/..%2F..%2Fgateway%2Fmain.mjs`)).status, 400, 'no way out of the folder');
  });
});
