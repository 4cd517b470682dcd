/**
 * A transfer is two or more postings that sum to zero in each currency: what one account is
 * debited, others are credited. Every posting moves a positive amount one way.
 */
import { AppError } from '@platform/shared/errors';

export interface Posting {
  accountId: string;
  currency: string;
  debitMinor: bigint;
  creditMinor: bigint;
}

export function assertBalanced(postings: readonly Posting[]): void {
  if (postings.length < 2) throw new AppError('validation', 'a transfer needs at least two postings');
  const net = new Map<string, bigint>();
  for (const posting of postings) {
    const oneSided = (posting.debitMinor > 0n && posting.creditMinor === 0n) || (posting.creditMinor > 0n && posting.debitMinor === 0n);
    if (!oneSided) throw new AppError('validation', `a posting to ${posting.accountId} must debit or credit a positive amount, not both`);
    net.set(posting.currency, (net.get(posting.currency) ?? 0n) + posting.debitMinor - posting.creditMinor);
  }
  const unbalanced = [...net].filter(([, amount]) => amount !== 0n);
  if (unbalanced.length > 0) {
    throw new AppError('validation', `the transfer does not balance: ${unbalanced.map(([currency, amount]) => `${currency} debits exceed credits by ${amount}`).join('; ')}`);
  }
}

export const debit = (accountId: string, currency: string, amount: bigint): Posting => ({ accountId, currency, debitMinor: amount, creditMinor: 0n });
export const credit = (accountId: string, currency: string, amount: bigint): Posting => ({ accountId, currency, debitMinor: 0n, creditMinor: amount });
