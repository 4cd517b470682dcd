import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { stockOf } from './support/api.ts';
import { vaultCard } from './support/payments.ts';
import { chargesFor } from './support/psp-books.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

interface Wallet {
  currency: string;
  posted: number;
  pending: number;
  available: number;
}

describe('the wallet', () => {
  const suite = platformForSuite();
  const PRICE = 700;

  const wallet = async (): Promise<Wallet> => {
    const answer = await suite.api.request<{ wallets: Wallet[] }>('GET', '/wallet');
    assert.equal(answer.status, 200);
    return answer.body.wallets.find((entry) => entry.currency === 'EUR') ?? { currency: 'EUR', posted: 0, pending: 0, available: 0 };
  };
  const topUp = async (amountMinor: number, number: string) =>
    suite.api.request<{ topUpId: string; status: string }>('POST', '/wallet/top-ups', { amountMinor, currency: 'EUR', cardToken: await vaultCard(suite.api, number) }, { 'idempotency-key': randomUUID() });

  it('when a customer tops up from a card, then the wallet is credited once the gateway charged it; a declined card credits nothing', async () => {
    const declined = await topUp(5_000, '4000000000000002');
    assert.deepEqual([declined.status, declined.body.status], [201, 'FAILED']);
    const paid = await topUp(30 * PRICE, '4242424242424242');
    assert.deepEqual([paid.status, paid.body.status], [201, 'SUCCEEDED']);
    assert.equal((await chargesFor(paid.body.topUpId)).length, 1, "one charge in the gateway's books");
    const funded = await waitFor('the ledger to credit the wallet', async () => {
      const current = await wallet();
      return current.posted === 30 * PRICE ? current : undefined;
    });
    assert.deepEqual(funded, { currency: 'EUR', posted: 30 * PRICE, pending: 0, available: 30 * PRICE });
  });

  it('when 100 wallet payments race against a balance that covers 30, then exactly 30 orders complete and the wallet never reads below zero', async () => {
    const productId = await suite.api.createProduct({ stock: 200, priceMinor: PRICE });
    let sampling = true;
    const seen: Wallet[] = [];
    const sampler = (async () => {
      while (sampling) seen.push(await wallet());
    })();
    const orders = await Promise.all(Array.from({ length: 100 }, () => suite.api.request<{ orderId: string }>('POST', '/orders', { productId, quantity: 1, paymentMethod: 'WALLET' }, { 'idempotency-key': randomUUID() })));
    assert.ok(orders.every((answer) => answer.status === 202), orders.map((answer) => answer.status).join(','));
    const finals = await Promise.all(orders.map((answer) => suite.api.finalOrder(answer.body.orderId, 120_000)));
    sampling = false;
    await sampler;
    const completed = finals.filter((order) => order.status === 'COMPLETED').length;
    assert.equal(completed, 30);
    assert.ok(finals.filter((order) => order.status === 'CANCELLED').every((order) => order.cancellationReason === 'insufficient_funds'));
    assert.ok(seen.length > 0 && seen.every((sample) => sample.posted >= 0 && sample.available >= 0), 'never below zero');
    const drained = await waitFor('every hold posted', async () => {
      const current = await wallet();
      return current.pending === 0 && current.posted === 0 ? current : undefined;
    });
    assert.equal(drained.available, 0);
    assert.deepEqual(stockOf(await suite.api.product(productId)), { available: 170, reserved: 0, sold: 30 });
    const payment = (await suite.api.payment(orders[0]!.body.orderId)).body;
    assert.equal(payment.method.type, 'WALLET');
    assert.equal((await suite.api.trialBalance()).balanced, true);
  });
});
