export type ChargeStatus = 'pending' | 'succeeded' | 'failed';

export interface Charge {
  id: string;
  idempotencyKey: string;
  requestHash: string;
  amountMinor: bigint;
  currency: string;
  methodType: 'card' | 'upi_collect';
  cardBrand: string | null;
  cardLast4: string | null;
  upiVpa: string | null;
  status: ChargeStatus;
  failureCode: string | null;
  confirmAt: Date | null;
  expiresAt: Date | null;
  amountRefunded: bigint;
  reference: string | null;
  createdAt: Date;
}

export interface Refund {
  id: string;
  idempotencyKey: string;
  requestHash: string;
  chargeId: string;
  amountMinor: bigint;
  currency: string;
  status: 'succeeded';
  createdAt: Date;
}

export type PaymentMethod = { type: 'card'; card: { number: string; expMonth: number; expYear: number } } | { type: 'upi_collect'; vpa: string; expiresInSeconds: number };

export interface ChargeRequest {
  idempotencyKey: string;
  amountMinor: bigint;
  currency: string;
  method: PaymentMethod;
  reference: string | null;
}

export interface PspStore {
  findChargeByKey(idempotencyKey: string): Promise<Charge | null>;
  findCharge(id: string): Promise<Charge | null>;
  /** Counts one more transient failure for the key and says how many there have been. */
  countTransientFailure(idempotencyKey: string): Promise<number>;
  /** Inserts unless the key exists; returns whichever charge holds the key. */
  insertCharge(charge: Omit<Charge, 'createdAt'>): Promise<Charge>;
  /**
   * Creates a refund if the key is new and the charge has that much left to refund (checked
   * under the charge's row lock); returns the refund holding the key, or why it was refused.
   */
  refund(request: { id: string; idempotencyKey: string; requestHash: string; chargeId: string; amountMinor: bigint }): Promise<Refund | 'charge-not-found' | 'not-refundable' | 'amount-too-large'>;
  /** pending → succeeded/failed, with its webhook event, in one transaction; null if not pending. */
  settlePending(chargeId: string, outcome: { status: 'succeeded' | 'failed'; failureCode: string | null }): Promise<Charge | null>;
}

export class TransientGatewayError extends Error {
  override readonly name = 'TransientGatewayError';
}
