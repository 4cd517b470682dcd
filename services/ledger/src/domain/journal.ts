/**
 * Double-entry rules: which accounts a charge and a refund move. Every entry's debits equal
 * its credits; balances are never stored, only derived from postings.
 */
import { AppError } from '@platform/shared/errors';

export type EntryKind = 'charge' | 'refund';

export interface PostingLine {
  account: string;
  debitMinor: bigint;
  creditMinor: bigint;
}

export const ACCOUNTS = {
  processorClearing: 'assets:card-processor-clearing',
  sales: 'revenue:sales',
  refunds: 'revenue:refunds',
} as const;

export function postingsFor(kind: EntryKind, amountMinor: bigint): PostingLine[] {
  if (amountMinor <= 0n) throw new AppError('validation', 'a journal entry moves a positive amount');
  const lines =
    kind === 'charge'
      ? [
          { account: ACCOUNTS.processorClearing, debitMinor: amountMinor, creditMinor: 0n },
          { account: ACCOUNTS.sales, debitMinor: 0n, creditMinor: amountMinor },
        ]
      : [
          { account: ACCOUNTS.refunds, debitMinor: amountMinor, creditMinor: 0n },
          { account: ACCOUNTS.processorClearing, debitMinor: 0n, creditMinor: amountMinor },
        ];
  assertBalanced(lines);
  return lines;
}

export function assertBalanced(lines: readonly PostingLine[]): void {
  const debits = lines.reduce((sum, line) => sum + line.debitMinor, 0n);
  const credits = lines.reduce((sum, line) => sum + line.creditMinor, 0n);
  if (debits !== credits) throw new AppError('internal', `unbalanced journal entry: debits ${debits} ≠ credits ${credits}`);
}
