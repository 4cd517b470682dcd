import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayUnavailable } from '../src/domain/ports.ts';
import { attemptCharge } from '../src/domain/attempt-charge.ts';
import { resolveStalePayment } from '../src/domain/resolve-stale-payment.ts';
import { recordGatewayAnswer } from '../src/domain/record-gateway-answer.ts';
import { requestRefund } from '../src/domain/request-refund.ts';
import { inMemoryPayments, NOW, ORDER } from './support/in-memory-payments.ts';

const expired = new Date(NOW.getTime() - 60_000);
const live = new Date(NOW.getTime() + 600_000);

describe('resolving a payment a crash or an outage left unfinished', () => {
  it('when an earlier attempt charged the card but did not commit and the hold has since expired, then the charge is recorded, never made again', async () => {
    const { services, payment, published, charges } = inMemoryPayments({ earlier: { status: 'succeeded', chargeId: 'ch_earlier' }, holdExpiresAt: expired });
    await resolveStalePayment(services, { ...payment });
    assert.deepEqual(charges, [], 'no second charge');
    assert.equal(payment.status, 'SUCCEEDED');
    assert.equal(payment.chargeId, 'ch_earlier');
    assert.equal(published[0]?.definition.type, 'payment.succeeded.v1');
  });

  it('when the hold has expired and the gateway has no charge under the key, then nothing is charged and the payment fails', async () => {
    const { services, payment, published, charges } = inMemoryPayments({ earlier: null, holdExpiresAt: expired });
    await resolveStalePayment(services, { ...payment });
    assert.deepEqual(charges, []);
    assert.equal(payment.failureReason, 'reservation_expired');
    assert.equal(published[0]?.definition.type, 'payment.failed.v1');
  });

  it('when the hold is live and the gateway has no charge, then it is charged once, keyed by the order', async () => {
    const { services, payment, charges } = inMemoryPayments({ earlier: null, holdExpiresAt: live });
    await resolveStalePayment(services, { ...payment });
    assert.deepEqual(charges, [`charge:${ORDER}`]);
    assert.equal(payment.status, 'SUCCEEDED');
    assert.equal(payment.methodSummary, 'visa •••• 4242');
  });

  it('when the gateway cannot be asked, then the payment waits (INITIATED) with a time to try again', async () => {
    const { services, payment, published, scheduled } = inMemoryPayments({ earlier: null, answer: new GatewayUnavailable('circuit open'), holdExpiresAt: live });
    await attemptCharge(services, payment.id);
    assert.equal(payment.status, 'INITIATED');
    assert.equal(published.length, 0);
    assert.equal(scheduled.length, 1);
  });

  it('when the gateway answers pending, then the payment is PENDING and nothing is announced yet', async () => {
    const { services, payment, published } = inMemoryPayments({ earlier: null, answer: { status: 'pending', chargeId: 'ch_async' }, holdExpiresAt: live });
    await attemptCharge(services, payment.id);
    assert.equal(payment.status, 'PENDING');
    assert.equal(published.length, 0);
  });
});

describe('a charge reported after its payment failed', () => {
  it('when the gateway confirms a payment already given up, then a refund of it is queued (once) and nothing is announced', async () => {
    const { services, payment, published, refunds } = inMemoryPayments({ earlier: null, holdExpiresAt: expired });
    payment.status = 'FAILED';
    const late = { status: 'succeeded', chargeId: 'ch_late' } as const;
    await services.transaction((unit) => recordGatewayAnswer(unit, { ...payment }, late, 'webhook', NOW, 30_000));
    await services.transaction((unit) => recordGatewayAnswer(unit, { ...payment }, late, 'lookup', NOW, 30_000));
    assert.deepEqual([...refunds.values()].map((refund) => [refund.amountMinor, refund.reason, refund.status]), [[1000n, 'late_success', 'PENDING']]);
    assert.equal(payment.chargeId, 'ch_late');
    assert.equal(payment.status, 'FAILED');
    assert.equal(published.length, 0);
  });
});

describe('refunding a wallet top-up', () => {
  it('when someone asks to refund a top-up to its card, then it is refused and nothing is reserved', async () => {
    const { services, payment, refunds } = inMemoryPayments({ earlier: null, holdExpiresAt: live });
    Object.assign(payment, { kind: 'TOP_UP', status: 'SUCCEEDED', chargeId: 'ch_topup' });
    const trace = { causeEventId: null, correlationId: null, traceparent: null };
    await assert.rejects(
      services.transaction((unit) => requestRefund(unit, payment.id, { amountMinor: 100n, reason: 'changed my mind', requestedBy: 'admin', trace })),
      (error: Error & { kind?: string }) => error.kind === 'conflict',
    );
    assert.equal(refunds.size, 0);
  });
});
