import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { recordCharge } from '../src/domain/record-charge.ts';
import { AccountCache } from '../src/data-access/account-cache.ts';
import { ledgerStore } from '../src/data-access/ledger-store.ts';
import type { LedgerContext } from '../src/domain/ports.ts';
import { createLedgerDatabase, SETTINGS } from './support/ledger-db.ts';

type LedgerDatabase = Awaited<ReturnType<typeof createLedgerDatabase>>;

describe('accounts remembered once committed', () => {
  let ledger: LedgerDatabase;
  before(async () => {
    ledger = await createLedgerDatabase();
  });
  after(async () => ledger.drop());

  /** Runs a use case as the consumer does, with the cache, counting the statements that read accounts. */
  async function withCache<R>(accounts: AccountCache, work: (context: LedgerContext) => Promise<R>): Promise<{ result: R; accountReads: number }> {
    let accountReads = 0;
    const result = await ledger.db.transaction((tx) => {
      const counting: SqlTransaction = {
        $executeRawUnsafe: (query, ...values: unknown[]) => tx.$executeRawUnsafe(query, ...values),
        $queryRawUnsafe: (query, ...values: unknown[]) => {
          if (/FROM account WHERE/.test(query)) accountReads += 1;
          return tx.$queryRawUnsafe(query, ...values);
        },
      };
      return work({ store: ledgerStore(counting, { ...SETTINGS, accounts }), publish: async () => undefined, cause: { eventId: randomUUID(), correlationId: 'test' } });
    });
    return { result, accountReads };
  }
  const charge = (merchantId: string) => ({ paymentId: randomUUID(), orderId: randomUUID(), customerId: randomUUID(), merchantId, amountMinor: 5_000, currency: 'SEK' });

  it('when a charge opens its accounts, then none is remembered; once read committed they are, and the next charge reads none', async () => {
    const accounts = new AccountCache();
    const merchantId = randomUUID();
    const first = await withCache(accounts, (context) => recordCharge(context, charge(merchantId)));
    assert.equal(first.result, true);
    assert.equal(accounts.size, 0, 'accounts this transaction inserted are not remembered');
    const second = await withCache(accounts, (context) => recordCharge(context, charge(merchantId)));
    assert.ok(second.accountReads >= 3, `the second charge read its accounts (${second.accountReads})`);
    assert.equal(accounts.size, 3, 'clearing, fees and the payable, now known committed');
    const third = await withCache(accounts, (context) => recordCharge(context, charge(merchantId)));
    assert.equal(third.result, true);
    assert.equal(third.accountReads, 0);
    // The remembered ids are the accounts' own: all three charges credit the same payable.
    const payables = await ledger.raw.query<{ n: string }>("SELECT count(DISTINCT p.account_id) AS n FROM ledger_posting p JOIN account a ON a.id = p.account_id WHERE a.type = 'merchant_payable' AND a.owner_key = $1", [merchantId]);
    assert.equal(payables.rows[0]!.n, '1');
  });

  it('when the transaction that opened an account rolls back, then it is not remembered and the next one opens it afresh', async () => {
    const accounts = new AccountCache();
    const key = { type: 'merchant_payable' as const, ownerKey: randomUUID(), currency: 'NOK' };
    const rolledBack = await withCache(accounts, async (context) => {
      await context.store.openAccount(key);
      await context.store.openAccount(key); // read again in the same transaction: still its own insert
      throw new Error('rolled back on purpose');
    }).catch((error: Error) => error.message);
    assert.equal(rolledBack, 'rolled back on purpose');
    assert.equal(accounts.get(key), undefined);
    const opened = await withCache(accounts, (context) => context.store.openAccount(key));
    const stored = await ledger.raw.query<{ id: string }>('SELECT id FROM account WHERE type = $1 AND owner_key = $2 AND currency = $3', [key.type, key.ownerKey, key.currency]);
    assert.equal(stored.rows[0]?.id, opened.result.id);
  });

  it('when more accounts are read than it holds, then the one used longest ago goes', async () => {
    const accounts = new AccountCache(2);
    const account = (ownerKey: string) => ({ id: randomUUID(), type: 'merchant_payable' as const, ownerKey, currency: 'EUR', rule: 'none' as const, slots: 1 });
    const [a, b, c] = [account('a'), account('b'), account('c')];
    accounts.rememberCommitted(a);
    accounts.rememberCommitted(b);
    assert.equal(accounts.get(a)?.id, a.id); // a is now the most recently used
    accounts.rememberCommitted(c);
    assert.equal(accounts.size, 2);
    assert.equal(accounts.get(b), undefined, 'b was used longest ago');
    assert.equal(accounts.get(a)?.id, a.id);
    assert.equal(accounts.get(c)?.id, c.id);
  });
});
