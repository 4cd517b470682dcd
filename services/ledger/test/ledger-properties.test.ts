/**
 * Property: whatever sequence of top-ups, holds, posts (full and partial), voids, expiries,
 * charges with fees and partial refunds happens, the books stay right — checked by the ledger
 * audit and against a model of the customer's wallet after every generated sequence.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { holdStore } from '../src/data-access/hold-store.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';
import { feeFor } from '../src/domain/fees.ts';
import { expireHolds, holdFunds, postHold, voidHold } from '../src/domain/holds.ts';
import { recordCharge } from '../src/domain/record-charge.ts';
import { recordRefund } from '../src/domain/record-refund.ts';
import { credit, debit } from '../src/domain/transfers.ts';
import { createLedgerDatabase, SETTINGS } from './support/ledger-db.ts';

const cause = { eventId: 'property', correlationId: 'property' };
const op = fc.oneof(
  fc.record({ type: fc.constant('topUp' as const), amount: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ type: fc.constant('hold' as const), amount: fc.integer({ min: 1, max: 3_000 }), expired: fc.boolean() }),
  fc.record({ type: fc.constant('post' as const), which: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ type: fc.constant('void' as const), which: fc.nat() }),
  fc.record({ type: fc.constant('expire' as const) }),
  fc.record({ type: fc.constant('charge' as const), amount: fc.integer({ min: 1, max: 20_000 }) }),
  // Refunding "the rest" is common, so charges get fully refunded after several partial refunds.
  fc.record({ type: fc.constant('refund' as const), which: fc.nat(), percent: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 99 })) }),
  fc.record({ type: fc.constant('refund' as const), which: fc.nat(), percent: fc.integer({ min: 20, max: 60 }) }),
);

describe('ledger properties', () => {
  let ledger: Awaited<ReturnType<typeof createLedgerDatabase>>;
  before(async () => {
    ledger = await createLedgerDatabase(4);
  });
  after(async () => ledger.drop());

  it('when any sequence of money movements runs, then the books balance, wallets never go below zero, available = posted − pending, and refunds never return more fee than was charged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
        const customerId = randomUUID();
        const merchantId = randomUUID();
        const accounts = await ledger.inTransaction(async (context) => ({
          wallet: await context.store.openAccount({ type: 'customer_wallet', ownerKey: customerId, currency: 'EUR' }),
          payable: await context.store.openAccount({ type: 'merchant_payable', ownerKey: merchantId, currency: 'EUR' }),
          clearing: await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency: 'EUR' }),
        }));
        const model = { posted: 0n, pending: 0n, holds: [] as Array<{ id: string; amount: bigint; expired: boolean }>, charges: [] as Array<{ paymentId: string; amount: bigint; fee: bigint; refunded: bigint; refundIds: string[] }> };
        for (const step of ops) {
          if (step.type === 'topUp') {
            const amount = BigInt(step.amount);
            await ledger.inTransaction((context) =>
              context.store.recordTransfer({ id: `top-up:${randomUUID()}`, kind: 'top_up', reversesId: null, orderId: null, customerId, merchantId: null, eventId: null, correlationId: null, postings: [debit(accounts.clearing.id, 'EUR', amount), credit(accounts.wallet.id, 'EUR', amount)] }, new Map([[accounts.wallet.id, accounts.wallet], [accounts.clearing.id, accounts.clearing]])),
            );
            model.posted += amount;
          } else if (step.type === 'hold') {
            const amount = BigInt(step.amount);
            const id = `hold:${randomUUID()}`;
            const timeoutAt = new Date(Date.now() + (step.expired ? -1_000 : 3_600_000));
            const covered = model.posted - model.pending >= amount;
            const held = ledger.db.transaction((tx) => holdFunds(holdStore(tx), cause, { id, debitAccount: accounts.wallet, creditAccount: accounts.payable, amount, timeoutAt }));
            if (covered) {
              assert.equal(await held, true);
              model.pending += amount;
              model.holds.push({ id, amount, expired: step.expired });
            } else {
              await assert.rejects(held, /insufficient funds/);
            }
          } else if ((step.type === 'post' || step.type === 'void') && model.holds.length > 0) {
            const [hold] = model.holds.splice(step.which % model.holds.length, 1);
            const posted = step.type === 'post' ? (hold!.amount * BigInt(step.percent) + 99n) / 100n : 0n;
            const resolved = await ledger.db.transaction((tx) => (step.type === 'post' ? postHold(holdStore(tx), cause, hold!.id, posted) : voidHold(holdStore(tx), cause, hold!.id)));
            assert.equal(resolved, true);
            model.pending -= hold!.amount;
            model.posted -= posted;
          } else if (step.type === 'expire') {
            await ledger.db.transaction((tx) => expireHolds(holdStore(tx), cause, new Date(), 1_000));
            for (const hold of model.holds.filter((item) => item.expired)) model.pending -= hold.amount;
            model.holds = model.holds.filter((item) => !item.expired);
          } else if (step.type === 'charge') {
            const paymentId = randomUUID();
            await ledger.inTransaction((context) => recordCharge(context, { paymentId, orderId: randomUUID(), customerId, merchantId, amountMinor: step.amount, currency: 'EUR' }));
            model.charges.push({ paymentId, amount: BigInt(step.amount), fee: feeFor(BigInt(step.amount), SETTINGS.defaultFee), refunded: 0n, refundIds: [] });
          } else if (step.type === 'refund' && model.charges.length > 0) {
            const charge = model.charges[step.which % model.charges.length]!;
            const left = charge.amount - charge.refunded;
            if (left === 0n) continue;
            const amount = (left * BigInt(step.percent) + 99n) / 100n;
            const refundId = `${charge.paymentId}:${charge.refundIds.length}`;
            await ledger.inTransaction((context) => recordRefund(context, { paymentId: charge.paymentId, refundId, orderId: randomUUID(), customerId, merchantId, amountMinor: Number(amount), currency: 'EUR' }));
            charge.refunded += amount;
            charge.refundIds.push(refundId);
          }
        }
        assert.deepEqual(await verifyLedger(ledger.db), [], 'the audit finds nothing wrong');
        const { rows } = await ledger.raw.query<{ posted: string; pending: string }>('SELECT credits_posted - debits_posted AS posted, debits_pending AS pending FROM account_balance WHERE account_id = $1', [accounts.wallet.id]);
        const wallet = rows[0] ?? { posted: '0', pending: '0' };
        assert.deepEqual({ posted: BigInt(wallet.posted), pending: BigInt(wallet.pending) }, { posted: model.posted, pending: model.pending }, 'the wallet matches the model');
        assert.ok(BigInt(wallet.posted) - BigInt(wallet.pending) >= 0n, 'available is never below zero');
        for (const charge of model.charges) {
          const { rows: fees } = await ledger.raw.query<{ back: string }>(
            "SELECT COALESCE(sum(p.debit_minor), 0) AS back FROM ledger_posting p JOIN account a ON a.id = p.account_id WHERE a.type = 'fee_revenue' AND p.transfer_id = ANY($1::text[])",
            [charge.refundIds.map((id) => `refund:${id}`)],
          );
          const back = BigInt(fees[0]!.back);
          assert.ok(back <= charge.fee, 'never more fee back than was charged');
          if (charge.refunded === charge.amount) assert.equal(back, charge.fee, 'a fully refunded charge returns its whole fee');
        }
      }),
      { numRuns: 100 },
    );
  });
});
