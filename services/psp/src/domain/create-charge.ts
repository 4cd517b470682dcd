import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { behaviourOf, brandOf, TRANSIENT_FAILURES } from './test-cards.ts';
import { TransientGatewayError, type Charge, type ChargeRequest, type PspStore } from './ports.ts';

export interface ChargeOutcome {
  charge: Charge;
  replayed: boolean;
  /** The test card whose answer never comes: the charge is made, the caller hears nothing. */
  withholdAnswer: boolean;
  /** The slow test card: answered late. */
  slow: boolean;
}

/** The card number is part of the request's identity, but only as a hash: it is never stored. */
export function chargeRequestHash(request: ChargeRequest): string {
  const method = request.method.type === 'card' ? ['card', request.method.card.number] : ['upi', request.method.vpa];
  return createHash('sha256').update(JSON.stringify([String(request.amountMinor), request.currency, ...method])).digest('hex');
}

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

/**
 * One charge per idempotency key, as a real processor keeps it: a retry with the same key and
 * parameters gets the first charge back, with other parameters it is refused.
 */
export async function createCharge(store: PspStore, request: ChargeRequest, options: { asyncDelayMs: number; now: Date }): Promise<ChargeOutcome> {
  const hash = chargeRequestHash(request);
  const { method } = request;
  const behaviour = method.type === 'card' ? behaviourOf(method.card.number) : null;
  const withholdAnswer = behaviour === 'never_answer';
  const slow = behaviour === 'slow';
  const existing = await store.findChargeByKey(request.idempotencyKey);
  if (existing) return { charge: sameRequestOrRefuse(existing, hash), replayed: true, withholdAnswer, slow };

  if (behaviour === 'transient_twice' && (await store.countTransientFailure(request.idempotencyKey)) <= TRANSIENT_FAILURES) {
    throw new TransientGatewayError('processing_error: try again');
  }
  const base = { id: newId('ch'), idempotencyKey: request.idempotencyKey, requestHash: hash, amountMinor: request.amountMinor, currency: request.currency, amountRefunded: 0n, reference: request.reference, confirmAt: null, expiresAt: null, failureCode: null };
  let charge: Omit<Charge, 'createdAt'>;
  if (method.type === 'upi_collect') {
    charge = { ...base, methodType: 'upi_collect', cardBrand: null, cardLast4: null, upiVpa: method.vpa, status: 'pending', expiresAt: new Date(options.now.getTime() + method.expiresInSeconds * 1000) };
  } else {
    const card = { methodType: 'card' as const, cardBrand: brandOf(method.card.number), cardLast4: method.card.number.slice(-4), upiVpa: null };
    if (behaviour === 'decline') charge = { ...base, ...card, status: 'failed', failureCode: 'card_declined' };
    else if (behaviour === 'insufficient_funds') charge = { ...base, ...card, status: 'failed', failureCode: 'insufficient_funds' };
    else if (behaviour === 'async') charge = { ...base, ...card, status: 'pending', confirmAt: new Date(options.now.getTime() + options.asyncDelayMs) };
    else charge = { ...base, ...card, status: 'succeeded' };
  }
  const stored = await store.insertCharge(charge);
  // A concurrent request with the same key may have won the insert.
  return { charge: sameRequestOrRefuse(stored, hash), replayed: stored.id !== charge.id, withholdAnswer, slow };
}

function sameRequestOrRefuse(charge: Charge, hash: string): Charge {
  if (charge.requestHash !== hash) throw new AppError('validation', 'idempotency_error: this Idempotency-Key was used with different parameters');
  return charge;
}
