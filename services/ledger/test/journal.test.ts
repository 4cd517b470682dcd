import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNTS, assertBalanced, postingsFor } from '../src/domain/journal.ts';

describe('journal rules', () => {
  it('when a charge and its refund are journaled, then each balances and together they net every account to zero', () => {
    const lines = [...postingsFor('charge', 4_500n), ...postingsFor('refund', 4_500n)];
    const net = new Map<string, bigint>();
    for (const line of lines) net.set(line.account, (net.get(line.account) ?? 0n) + line.debitMinor - line.creditMinor);
    assert.equal(net.get(ACCOUNTS.processorClearing), 0n);
    assert.equal((net.get(ACCOUNTS.sales) ?? 0n) + (net.get(ACCOUNTS.refunds) ?? 0n), 0n);
  });

  it('when an entry does not balance or moves nothing, then it is refused', () => {
    assert.throws(() => assertBalanced([{ account: 'a', debitMinor: 5n, creditMinor: 0n }]), /unbalanced/);
    assert.throws(() => postingsFor('charge', 0n), /positive amount/);
  });
});
