import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { paymentStore } from '../src/data-access/payment-store.ts';
import { sqlPaymentServices } from '../src/data-access/payment-services.ts';
import { attemptCharge } from '../src/domain/attempt-charge.ts';
import { failPayment } from '../src/domain/record-gateway-answer.ts';
import { startPayment } from '../src/domain/start-payment.ts';
import type { GatewayAnswer, PaymentGateway, PaymentServices } from '../src/domain/ports.ts';

// The gateway's answer to a charge is recorded in one statement (data-access/settle-statement.ts):
// status, history, gateway call, the token's erasure and the outcome event, all or nothing.
// A payment no longer waiting (copies racing, a payment given up meanwhile) writes nothing there
// and is decided in a transaction, as before. The gateway is a stand-in; the database is real.
describe('a gateway answer recorded in one statement', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  let answer: GatewayAnswer;
  let beforeAnswering: (orderId: string) => Promise<void>;
  let transactions: number;
  let finished: string[];
  const gateway: PaymentGateway = {
    charge: async ({ reference }) => {
      await beforeAnswering(reference);
      return answer;
    },
    findCharge: async () => null,
    refund: async () => ({ refundId: 're_1' }),
  };
  let services: PaymentServices;

  const initiated = async () => {
    const orderId = randomUUID();
    await paymentStore(new PgSql(pool), cipher).saveIntent({ orderId, method: 'CARD', cardToken: 'tok_visa', upiVpa: null, customerId: randomUUID(), merchantId: randomUUID() });
    const trace = { causeEventId: randomUUID(), correlationId: randomUUID(), traceparent: null };
    const payment = await services.transaction((unit) => startPayment(unit, { orderId, amountMinor: 4_200, currency: 'EUR', holdExpiresAt: new Date(Date.now() + 600_000) }, new Date(Date.now() + 60_000), trace));
    transactions = 0;
    return payment!.payment;
  };
  const one = async <T extends pg.QueryResultRow>(sql: string, values: unknown[]) => (await pool.query<T>(sql, values)).rows;
  const announced = (orderId: string, type: string) => one<{ envelope: string }>('SELECT envelope FROM outbox WHERE aggregate_id = $1 AND routing_key = $2', [orderId, type]);

  before(async () => {
    database = await cloneServiceDatabase('payment');
    pool = database.pool;
    const sql = {
      db: new PgSql(pool),
      transaction: <R>(work: (tx: SqlTransaction) => Promise<R>) => {
        transactions += 1;
        return sqlTransaction(pool, work);
      },
    };
    services = sqlPaymentServices(sql, cipher, (_kind, _method, outcome) => finished.push(outcome), {
      gatewayFor: () => gateway,
      methodFor: async () => ({ method: { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2030 }, summary: 'visa •••• 4242' }),
      timing: { retryDelayMs: () => 1_000, pendingPollMs: 30_000, pendingGiveUpMs: 600_000 },
      now: () => new Date(),
    });
  });
  beforeEach(() => {
    answer = { status: 'succeeded', chargeId: `ch_${randomUUID()}` };
    beforeAnswering = async () => undefined;
    finished = [];
  });
  after(() => database.drop());

  it('when the charge succeeds, then status, history, gateway call, erased token and one payment.succeeded are written without a transaction', async () => {
    const payment = await initiated();
    await attemptCharge(services, payment.id);
    const [row] = await one<{ status: string; charge_id: string; method_summary: string }>('SELECT status, charge_id, method_summary FROM payment WHERE id = $1', [payment.id]);
    assert.deepEqual(row, { status: 'SUCCEEDED', charge_id: answer.chargeId, method_summary: 'visa •••• 4242' });
    assert.deepEqual((await one('SELECT status, detail FROM payment_state_change WHERE payment_id = $1 ORDER BY id', [payment.id])).map((change) => `${change.status}:${change.detail}`), ['INITIATED:null', 'SUCCEEDED:charge']);
    assert.deepEqual(await one('SELECT kind, idempotency_key, outcome, reference FROM gateway_call WHERE payment_id = $1', [payment.id]), [{ kind: 'charge', idempotency_key: `charge:${payment.orderId}`, outcome: 'succeeded', reference: answer.chargeId }]);
    assert.deepEqual(await one('SELECT card_token_encrypted FROM payment_intent WHERE order_id = $1', [payment.orderId]), [{ card_token_encrypted: null }]);
    const events = await announced(payment.orderId, 'payment.succeeded.v1');
    assert.equal(events.length, 1);
    const envelope = JSON.parse(events[0]!.envelope) as { causationid: string; correlationid: string; data: { paymentId: string; amountMinor: number } };
    assert.deepEqual([envelope.causationid, envelope.correlationid, envelope.data.paymentId, envelope.data.amountMinor], [payment.trace.causeEventId, payment.trace.correlationId, payment.id, 4_200]);
    assert.equal(transactions, 0, 'no transaction was needed');
    assert.deepEqual(finished, ['succeeded']);
  });

  it('when the card is declined, then the payment fails with the reason, forgets the token and announces payment.failed once', async () => {
    answer = { status: 'failed', chargeId: null, reason: 'insufficient_funds' };
    const payment = await initiated();
    await attemptCharge(services, payment.id);
    assert.deepEqual(await one('SELECT status, failure_reason FROM payment WHERE id = $1', [payment.id]), [{ status: 'FAILED', failure_reason: 'insufficient_funds' }]);
    assert.deepEqual(await one('SELECT card_token_encrypted FROM payment_intent WHERE order_id = $1', [payment.orderId]), [{ card_token_encrypted: null }]);
    assert.equal((await announced(payment.orderId, 'payment.failed.v1')).length, 1);
    assert.deepEqual(finished, ['failed']);
  });

  it('when eight attempts of one payment race, then it succeeds once, announced once, and no refund is made', async () => {
    const payment = await initiated();
    // All eight are at the gateway before any answer is recorded: each read the payment INITIATED.
    let arrived = 0;
    let allArrived!: () => void;
    const barrier = new Promise<void>((resolve) => (allArrived = resolve));
    beforeAnswering = async () => {
      if (++arrived === 8) allArrived();
      await barrier;
    };
    await Promise.all(Array.from({ length: 8 }, () => attemptCharge(services, payment.id)));
    assert.equal(arrived, 8);
    assert.equal((await announced(payment.orderId, 'payment.succeeded.v1')).length, 1);
    assert.equal((await one("SELECT 1 FROM payment_state_change WHERE payment_id = $1 AND status = 'SUCCEEDED'", [payment.id])).length, 1);
    assert.equal((await one('SELECT 1 FROM payment_refund WHERE payment_id = $1', [payment.id])).length, 0);
    assert.deepEqual(finished, ['succeeded']);
  });

  it('when the payment is given up while the gateway is charging, then the late success writes nothing in one statement and is refunded in a transaction', async () => {
    const payment = await initiated();
    beforeAnswering = async () => void (await services.transaction((unit) => failPayment(unit, payment, 'reservation_expired', 'hold expired')));
    await attemptCharge(services, payment.id);
    assert.deepEqual(await one('SELECT status, charge_id FROM payment WHERE id = $1', [payment.id]), [{ status: 'FAILED', charge_id: answer.chargeId }]);
    assert.equal((await announced(payment.orderId, 'payment.succeeded.v1')).length, 0);
    assert.equal((await announced(payment.orderId, 'payment.failed.v1')).length, 1);
    assert.deepEqual(await one('SELECT reason, status FROM payment_refund WHERE payment_id = $1', [payment.id]), [{ reason: 'late_success', status: 'PENDING' }]);
    assert.equal(transactions, 2, 'the give-up and the late success');
  });
});
