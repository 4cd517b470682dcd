import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { holdStore } from '../src/data-access/hold-store.ts';
import { expireHolds, holdFunds, postHold, voidHold } from '../src/domain/holds.ts';
import type { Account, LedgerContext } from '../src/domain/ports.ts';
import { credit, debit } from '../src/domain/transfers.ts';
import { createLedgerDatabase } from './support/ledger-db.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';

type LedgerDatabase = Awaited<ReturnType<typeof createLedgerDatabase>>;
const cause: LedgerContext['cause'] = { eventId: 'test', correlationId: 'test' };

describe('two-phase transfers (holds) against the real PostgreSQL', () => {
  let ledger: LedgerDatabase;
  before(async () => {
    ledger = await createLedgerDatabase(40);
  });
  after(async () => {
    assert.deepEqual(await verifyLedger(ledger.db), [], 'the books verify after every race');
    await ledger.drop();
  });

  /** A customer's wallet funded with `amount`, and a merchant payable to pay into. */
  async function fundedWallet(amount: bigint): Promise<{ wallet: Account; payable: Account }> {
    return ledger.inTransaction(async (context) => {
      const wallet = await context.store.openAccount({ type: 'customer_wallet', ownerKey: randomUUID(), currency: 'EUR' });
      const payable = await context.store.openAccount({ type: 'merchant_payable', ownerKey: randomUUID(), currency: 'EUR' });
      const clearing = await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency: 'EUR' });
      const postings = [debit(clearing.id, 'EUR', amount), credit(wallet.id, 'EUR', amount)];
      await context.store.recordTransfer({ id: `top-up:${randomUUID()}`, kind: 'top_up', reversesId: null, orderId: null, customerId: wallet.ownerKey, merchantId: null, eventId: null, correlationId: null, postings }, new Map([[wallet.id, wallet], [clearing.id, clearing]]));
      return { wallet, payable };
    });
  }

  const balance = async (account: Account) => {
    const { rows } = await ledger.raw.query<{ posted: string; pending: string }>('SELECT credits_posted - debits_posted AS posted, debits_pending AS pending FROM account_balance WHERE account_id = $1 AND slot = 0', [account.id]);
    const posted = BigInt(rows[0]!.posted);
    const pending = BigInt(rows[0]!.pending);
    return { posted, pending, available: posted - pending };
  };
  const hold = (wallet: Account, payable: Account, amount: bigint, timeoutAt = new Date(Date.now() + 60_000)) =>
    ledger.db.transaction((tx) => holdFunds(holdStore(tx), cause, { id: `hold:${randomUUID()}`, debitAccount: wallet, creditAccount: payable, amount, timeoutAt }));

  it('when 100 holds race for a wallet that covers 30 of them, then exactly 30 succeed and it never reads below zero', async () => {
    const { wallet, payable } = await fundedWallet(3_000n);
    let sampling = true;
    const seen: bigint[] = [];
    const sampler = (async () => {
      while (sampling) {
        seen.push((await balance(wallet)).available);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => hold(wallet, payable, 100n)));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 30);
      const refusals = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      assert.ok(refusals.every((outcome) => /insufficient funds/.test(String(outcome.reason))), 'the others are refused for insufficient funds');
    } finally {
      sampling = false;
      await sampler;
    }
    assert.deepEqual(await balance(wallet), { posted: 3_000n, pending: 3_000n, available: 0n });
    assert.ok(seen.length > 0 && seen.every((available) => available >= 0n), 'never below zero while they raced');
  });

  it('when a hold is posted for less, voided, or posted twice, then the rest is released, and each hold resolves once', async () => {
    const { wallet, payable } = await fundedWallet(1_000n);
    const first = `hold:${randomUUID()}`;
    const second = `hold:${randomUUID()}`;
    await ledger.db.transaction(async (tx) => {
      await holdFunds(holdStore(tx), cause, { id: first, debitAccount: wallet, creditAccount: payable, amount: 400n, timeoutAt: new Date(Date.now() + 60_000) });
      await holdFunds(holdStore(tx), cause, { id: second, debitAccount: wallet, creditAccount: payable, amount: 300n, timeoutAt: new Date(Date.now() + 60_000) });
    });
    assert.deepEqual(await balance(wallet), { posted: 1_000n, pending: 700n, available: 300n });
    assert.equal(await ledger.db.transaction((tx) => postHold(holdStore(tx), cause, first, 250n)), true);
    assert.equal(await ledger.db.transaction((tx) => postHold(holdStore(tx), cause, first)), false, 'posted once');
    assert.equal(await ledger.db.transaction((tx) => voidHold(holdStore(tx), cause, first)), false, 'a posted hold cannot be voided');
    assert.equal(await ledger.db.transaction((tx) => voidHold(holdStore(tx), cause, second)), true);
    assert.deepEqual(await balance(wallet), { posted: 750n, pending: 0n, available: 750n });
    assert.equal((await balance(payable)).posted, 250n);
  });

  it('when a hold is not posted by its timeout, then it voids itself and the funds are available again', async () => {
    const { wallet, payable } = await fundedWallet(500n);
    await hold(wallet, payable, 500n, new Date(Date.now() + 300));
    assert.equal((await balance(wallet)).available, 0n);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const expired = await ledger.db.transaction((tx) => expireHolds(holdStore(tx), cause, new Date(), 100));
    assert.ok(expired >= 1);
    assert.deepEqual(await balance(wallet), { posted: 500n, pending: 0n, available: 500n });
    assert.equal(await ledger.db.transaction((tx) => expireHolds(holdStore(tx), cause, new Date(), 100)), 0, 'expired once');
  });
});
