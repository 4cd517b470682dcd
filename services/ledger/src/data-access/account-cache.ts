/**
 * Accounts this process has seen committed, by (type, owner, currency). An account row is never
 * updated or deleted once opened, so one read committed stays right: each charge then skips the
 * reads of its three accounts (clearing, fees, the merchant's payable). Only an account found by
 * a read, never one this transaction inserted, is remembered: that insert could still roll back.
 * Bounded; the entry used longest ago goes first.
 */
import type { Account, AccountKey } from '../domain/ports.ts';

export class AccountCache {
  private readonly entries = new Map<string, Account>();

  constructor(private readonly capacity = 10_000) {}

  get(key: AccountKey): Account | undefined {
    const id = accountKeyOf(key);
    const account = this.entries.get(id);
    if (account) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(id);
      this.entries.set(id, account);
    }
    return account;
  }

  /** Call only with a row another transaction committed (found, not inserted, by this one). */
  rememberCommitted(account: Account): void {
    const id = accountKeyOf(account);
    this.entries.delete(id);
    this.entries.set(id, account);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

export const accountKeyOf = (key: AccountKey) => `${key.type}\u0000${key.ownerKey}\u0000${key.currency}`;
