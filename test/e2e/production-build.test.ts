import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { buildAll } from '../../scripts/build.ts';
import { signedInClient, startTestPlatform, type TestPlatform } from './support/test-platform.ts';
import { stockOf, type GatewayClient } from './support/api.ts';

describe('the production build', () => {
  let platform: TestPlatform;
  let api: GatewayClient;
  before(async () => {
    await buildAll();
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
});
