/**
 * Two-phase transfers, as TigerBeetle has them: a hold reserves funds on the debit account
 * (available = posted − pending debits); it is then posted (in full or for less), voided, or
 * expires by itself at its timeout, exactly once. A wallet payment will hold when stock is
 * reserved, post on commit, void on compensation and expire with the reservation.
 */
import { AppError } from '@platform/shared/errors';
import type { Account, Hold, HoldStore, LedgerContext } from './ports.ts';

export interface HoldCommand {
  id: string;
  debitAccount: Account;
  creditAccount: Account;
  amount: bigint;
  timeoutAt: Date;
}

export async function holdFunds(store: HoldStore, cause: LedgerContext['cause'], command: HoldCommand): Promise<boolean> {
  if (command.amount <= 0n) throw new AppError('validation', 'a hold reserves a positive amount');
  if (command.debitAccount.currency !== command.creditAccount.currency) throw new AppError('validation', 'a hold moves one currency');
  return store.recordHold({ ...command, currency: command.debitAccount.currency }, cause);
}

async function openHold(store: HoldStore, id: string): Promise<Hold> {
  const hold = await store.findHold(id);
  if (!hold) throw new AppError('not-found', `no hold ${id}`);
  return hold;
}

/** Posts the hold, or part of it (the rest is released). false if it was already resolved. */
export async function postHold(store: HoldStore, cause: LedgerContext['cause'], id: string, amount?: bigint): Promise<boolean> {
  const hold = await openHold(store, id);
  const postAmount = amount ?? hold.amount;
  if (postAmount <= 0n || postAmount > hold.amount) throw new AppError('unprocessable', `a hold of ${hold.amount} can be posted for 1 to ${hold.amount}, not ${postAmount}`);
  if (hold.resolvedBy) return false;
  return store.resolveHold(hold, { id: `post:${id}`, kind: 'post', postAmount }, cause);
}

export async function voidHold(store: HoldStore, cause: LedgerContext['cause'], id: string): Promise<boolean> {
  const hold = await openHold(store, id);
  if (hold.resolvedBy) return false;
  return store.resolveHold(hold, { id: `void:${id}`, kind: 'void', postAmount: 0n }, cause);
}

/** Voids up to `limit` holds past their timeout; returns how many it expired. */
export async function expireHolds(store: HoldStore, cause: LedgerContext['cause'], now: Date, limit: number): Promise<number> {
  let expired = 0;
  for (const hold of await store.claimExpired(now, limit)) {
    if (await store.resolveHold(hold, { id: `expire:${hold.id}`, kind: 'expire', postAmount: 0n }, cause)) expired += 1;
  }
  return expired;
}
