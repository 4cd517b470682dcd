import { AppError } from '@platform/shared/errors';
import type { LedgerContext } from './ports.ts';

/**
 * Corrects a mistake the only way the books allow: a new transfer with every posting of the
 * original turned around, naming what it reverses. Once per transfer (`reversal:<id>`); a wallet
 * it would take below zero refuses it. Holds are voided, not reversed; a reversal is not reversed.
 */
export async function reverseTransfer(context: LedgerContext, transferId: string): Promise<boolean> {
  const original = await context.store.findTransfer(transferId);
  if (!original) throw new AppError('not-found', `no transfer ${transferId}`);
  if (original.kind === 'hold' || original.kind === 'reversal') throw new AppError('unprocessable', `a ${original.kind} cannot be reversed`);
  if (original.postings.length === 0) throw new AppError('unprocessable', `transfer ${transferId} moved nothing`);
  const postings = original.postings.map((posting) => ({ ...posting, debitMinor: posting.creditMinor, creditMinor: posting.debitMinor }));
  return context.store.recordTransfer(
    { id: `reversal:${transferId}`, kind: 'reversal', reversesId: transferId, orderId: original.orderId, customerId: original.customerId, merchantId: original.merchantId, ...context.cause, postings },
    new Map(original.accounts.map((account) => [account.id, account])),
  );
}
