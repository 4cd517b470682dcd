/**
 * Three-way reconciliation, as a pure comparison: the gateway's settlement for a day, our
 * payments and refunds, the ledger's transfers, and the orders' states. Each mismatch names its
 * kind, its ids and the repair that is safe to make through the normal saga (never an edit of
 * rows) — or none, when only a person (and the suspense account) can settle it. Running it again
 * after the repairs have landed finds nothing to repair, which is what makes it idempotent.
 */

export interface GatewayCharge {
  id: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
}

export interface GatewayRefund {
  id: string;
  chargeId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
}

export interface OurPayment {
  paymentId: string;
  orderId: string;
  kind: 'ORDER' | 'TOP_UP';
  method: 'CARD' | 'UPI' | 'WALLET';
  status: string;
  amountMinor: number;
  currency: string;
  chargeId: string | null;
  customerId: string | null;
  merchantId: string | null;
}

export interface OurRefund {
  refundId: string;
  paymentId: string;
  status: string;
  amountMinor: number;
  gatewayRefundId: string | null;
}

export interface ReconciliationInput {
  gateway: { charges: GatewayCharge[]; refunds: GatewayRefund[] };
  payments: OurPayment[];
  refunds: OurRefund[];
  /** Ledger transfers by id (`charge:<paymentId>`, `refund:<refundId>`, `top_up:<topUpId>`, `suspense:…`) with the amount they moved. */
  ledger: ReadonlyMap<string, number>;
  /** Order states by order id (COMPLETED, CANCELLED, …). */
  orders: ReadonlyMap<string, string>;
}

export type Repair = 'refund-gateway-charge' | 're-emit-payment-succeeded' | 're-emit-payment-refunded' | 'refund-cancelled-order' | null;

export interface Mismatch {
  kind:
    | 'gateway-charge-without-payment'
    | 'amount-differs'
    | 'captured-without-ledger-transfer'
    | 'refund-without-ledger-transfer'
    | 'gateway-refund-without-ours'
    | 'completed-order-without-capture'
    | 'cancelled-order-with-net-charge';
  ids: Record<string, string>;
  repair: Repair;
  /** A money difference no one can explain yet: parked in suspense (once) until a person settles it. */
  suspense?: Suspense;
}

export interface Suspense {
  transferId: string;
  /** The gateway's books hold more than ours (clearing is owed it) or less. */
  gatewayHolds: 'more' | 'less';
  amountMinor: number;
  currency: string;
  /** Already in the ledger from an earlier run: nothing more to do. */
  journaled: boolean;
}

/** The suspense transfers a run may look for in the ledger, so it never parks a difference twice. */
export const suspenseIdsFor = (gateway: ReconciliationInput['gateway']) => [...gateway.charges.map((charge) => `suspense:amount:${charge.id}`), ...gateway.refunds.map((refund) => `suspense:refund:${refund.id}`)];

function suspense(ledger: ReadonlyMap<string, number>, transferId: string, gatewayHolds: Suspense['gatewayHolds'], amountMinor: number, currency: string): Suspense {
  return { transferId, gatewayHolds, amountMinor, currency, journaled: ledger.has(transferId) };
}

const CAPTURED = new Set(['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const FINAL = new Set([...CAPTURED, 'FAILED']);
const chargeKey = (orderId: string) => `charge:${orderId}`;

/** The transfer that journals a captured payment: a card charge, a top-up, or a wallet hold's posting. */
function ledgerTransferOf(payment: OurPayment): string {
  if (payment.kind === 'TOP_UP') return `top_up:${payment.orderId}`;
  return payment.method === 'WALLET' ? `post:hold:${chargeKey(payment.orderId)}` : `charge:${payment.paymentId}`;
}

export function reconcile(input: ReconciliationInput): Mismatch[] {
  const found: Mismatch[] = [];
  const paymentByKey = new Map(input.payments.map((payment) => [chargeKey(payment.orderId), payment]));
  const refundsByPayment = new Map<string, number>();
  // A refund on its way (PENDING) counts: the order is being given back already.
  for (const refund of input.refunds) if (refund.status !== 'FAILED') refundsByPayment.set(refund.paymentId, (refundsByPayment.get(refund.paymentId) ?? 0) + refund.amountMinor);
  const gatewayRefunded = new Map<string, number>();
  for (const refund of input.gateway.refunds) gatewayRefunded.set(refund.chargeId, (gatewayRefunded.get(refund.chargeId) ?? 0) + refund.amountMinor);

  for (const charge of input.gateway.charges) {
    const payment = paymentByKey.get(charge.idempotencyKey);
    if (!payment || payment.chargeId !== charge.id) {
      const givenBack = (gatewayRefunded.get(charge.id) ?? 0) >= charge.amountMinor;
      // Our payment has not recorded its charge yet (its sweeper asks the gateway by key): never refund it from here.
      if (givenBack || (payment && !payment.chargeId && !FINAL.has(payment.status))) continue;
      // Money taken with nothing of ours behind it (or for a payment that failed): give it back. A captured
      // payment naming another charge is a puzzle for a person, not a refund.
      const ours = payment !== undefined && CAPTURED.has(payment.status);
      found.push({ kind: 'gateway-charge-without-payment', ids: { chargeId: charge.id, idempotencyKey: charge.idempotencyKey, ...(payment ? { paymentId: payment.paymentId } : {}) }, repair: ours ? null : 'refund-gateway-charge' });
      continue;
    }
    if (payment.amountMinor !== charge.amountMinor || payment.currency !== charge.currency) {
      // Same currency: the difference waits in suspense. Another currency: only a person can say.
      const difference = charge.amountMinor - payment.amountMinor;
      const parked = payment.currency === charge.currency ? { suspense: suspense(input.ledger, `suspense:amount:${charge.id}`, difference > 0 ? 'more' : 'less', Math.abs(difference), charge.currency) } : {};
      found.push({ kind: 'amount-differs', ids: { chargeId: charge.id, paymentId: payment.paymentId }, repair: null, ...parked });
    }
  }

  for (const payment of input.payments) {
    if (!CAPTURED.has(payment.status)) continue;
    // A wallet payment given back before capture was voided: no posting to find.
    if (payment.method === 'WALLET' && payment.status === 'REFUNDED' && !input.ledger.has(ledgerTransferOf(payment))) continue;
    const transferId = ledgerTransferOf(payment);
    const journaled = input.ledger.get(transferId);
    if (journaled === undefined) found.push({ kind: 'captured-without-ledger-transfer', ids: { paymentId: payment.paymentId, orderId: payment.orderId }, repair: payment.kind === 'ORDER' && payment.method !== 'WALLET' ? 're-emit-payment-succeeded' : null });
    else if (journaled !== payment.amountMinor) found.push({ kind: 'amount-differs', ids: { paymentId: payment.paymentId, transferId }, repair: null });
    if (payment.kind !== 'ORDER') continue;
    const net = payment.amountMinor - (refundsByPayment.get(payment.paymentId) ?? 0);
    if (input.orders.get(payment.orderId) === 'CANCELLED' && net > 0) found.push({ kind: 'cancelled-order-with-net-charge', ids: { orderId: payment.orderId, paymentId: payment.paymentId }, repair: 'refund-cancelled-order' });
  }

  const capturedOrders = new Set(input.payments.filter((payment) => payment.kind === 'ORDER' && CAPTURED.has(payment.status)).map((payment) => payment.orderId));
  for (const [orderId, status] of input.orders) {
    if (status === 'COMPLETED' && !capturedOrders.has(orderId)) found.push({ kind: 'completed-order-without-capture', ids: { orderId }, repair: null });
  }

  const ourGatewayRefunds = new Set(input.refunds.map((refund) => refund.gatewayRefundId).filter((id): id is string => id !== null));
  for (const refund of input.refunds) {
    if (refund.status === 'SUCCEEDED' && !input.ledger.has(`refund:${refund.refundId}`)) {
      const payment = input.payments.find((candidate) => candidate.paymentId === refund.paymentId);
      // A refund of a charge the books never held (a late success) has nothing to journal.
      // A wallet's refunds are the ledger's own doing (its hold): only a person can look.
      if (payment && CAPTURED.has(payment.status)) found.push({ kind: 'refund-without-ledger-transfer', ids: { refundId: refund.refundId, paymentId: refund.paymentId }, repair: payment.method === 'WALLET' ? null : 're-emit-payment-refunded' });
    }
  }
  for (const refund of input.gateway.refunds) {
    const ours = ourGatewayRefunds.has(refund.id);
    const forOrphan = !input.payments.some((payment) => payment.chargeId === refund.chargeId);
    if (!ours && !forOrphan) found.push({ kind: 'gateway-refund-without-ours', ids: { gatewayRefundId: refund.id, chargeId: refund.chargeId }, repair: null, suspense: suspense(input.ledger, `suspense:refund:${refund.id}`, 'less', refund.amountMinor, refund.currency) });
  }
  return found;
}
