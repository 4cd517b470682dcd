import { createHash } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { newId } from './create-charge.ts';
import type { PspStore, Refund } from './ports.ts';

/** A refund of part or all of a succeeded charge; never more than is left of it, once per key. */
export async function createRefund(store: PspStore, request: { idempotencyKey: string; chargeId: string; amountMinor: bigint }): Promise<Refund> {
  const requestHash = createHash('sha256').update(JSON.stringify([request.chargeId, String(request.amountMinor)])).digest('hex');
  const result = await store.refund({ id: newId('re'), requestHash, ...request });
  if (result === 'charge-not-found') throw new AppError('not-found', `no such charge: ${request.chargeId}`);
  if (result === 'not-refundable') throw new AppError('validation', 'charge_not_refundable: only a succeeded charge can be refunded');
  if (result === 'amount-too-large') throw new AppError('validation', 'amount_too_large: the refund exceeds what is left of the charge');
  if (result.requestHash !== requestHash) throw new AppError('validation', 'idempotency_error: this Idempotency-Key was used with different parameters');
  return result;
}
