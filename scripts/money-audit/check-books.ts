/**
 * The money audit's rules, as a pure function of every service's books (read straight from their
 * databases by read-books.ts): each breach names its rule and the ids involved. The ledger's own
 * rules (balanced transfers, trial balance zero, balances = postings) come from verify-ledger.
 */

export interface Books {
  orders: Array<{ id: string; status: string; amountMinor: number | null; currency: string | null }>;
  products: Array<{ id: string; available: number; reserved: number; sold: number; received: number }>;
  reservations: Array<{ orderId: string; productId: string; quantity: number; status: string }>;
  payments: Array<{ id: string; orderId: string; kind: string; method: string; status: string; amountMinor: number; refundedMinor: number; currency: string; chargeId: string | null }>;
  refunds: Array<{ id: string; paymentId: string; status: string; amountMinor: number }>;
  gatewayCharges: Array<{ id: string; idempotencyKey: string; status: string; amountMinor: number; refundedMinor: number; currency: string }>;
  gatewayRefunds: Array<{ id: string; chargeId: string; amountMinor: number }>;
  /** Posted ledger transfers by id, with the amount each moved (its debits). */
  ledger: ReadonlyMap<string, number>;
}

export interface Breach {
  rule: string;
  ids: string[];
  detail: string;
}

const CAPTURED = new Set(['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const FINAL_ORDER = new Set(['COMPLETED', 'CANCELLED']);

function sumBy<T>(items: readonly T[], key: (item: T) => string, amount: (item: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + amount(item));
  return sums;
}

export function checkBooks(books: Books): Breach[] {
  const breaches: Breach[] = [];
  const breach = (rule: string, ids: string[], detail: string) => breaches.push({ rule, ids, detail });

  for (const order of books.orders) if (!FINAL_ORDER.has(order.status)) breach('every order final', [order.id], `order is ${order.status}`);

  // Stock: counters equal the reservations, and nothing was made or lost.
  const held = sumBy(books.reservations.filter((r) => r.status === 'HELD'), (r) => r.productId, (r) => r.quantity);
  const sold = sumBy(books.reservations.filter((r) => r.status === 'COMMITTED'), (r) => r.productId, (r) => r.quantity);
  for (const product of books.products) {
    if (product.reserved !== (held.get(product.id) ?? 0)) breach('reserved stock equals held reservations', [product.id], `reserved ${product.reserved}, held ${held.get(product.id) ?? 0}`);
    if (product.sold !== (sold.get(product.id) ?? 0)) breach('sold stock equals committed reservations', [product.id], `sold ${product.sold}, committed ${sold.get(product.id) ?? 0}`);
    if (product.available + product.reserved + product.sold !== product.received) breach('stock conserved', [product.id], `${product.available} + ${product.reserved} + ${product.sold} ≠ ${product.received} received`);
  }

  // The gateway's books: refunds never above captures, and each charge's refunds add up.
  const gatewayRefunded = sumBy(books.gatewayRefunds, (r) => r.chargeId, (r) => r.amountMinor);
  for (const charge of books.gatewayCharges) {
    if (charge.refundedMinor > charge.amountMinor) breach('gateway refunds within the capture', [charge.id], `${charge.refundedMinor} refunded of ${charge.amountMinor}`);
    if ((gatewayRefunded.get(charge.id) ?? 0) !== charge.refundedMinor) breach("gateway refunds add up", [charge.id], `refund rows ${gatewayRefunded.get(charge.id) ?? 0}, charge says ${charge.refundedMinor}`);
  }

  // Our payments: refunds never above captures; completed refunds are what the payment says.
  const refunded = sumBy(books.refunds.filter((r) => r.status === 'SUCCEEDED'), (r) => r.paymentId, (r) => r.amountMinor);
  for (const payment of books.payments) {
    if (payment.refundedMinor > payment.amountMinor) breach('refunds within the capture', [payment.id], `${payment.refundedMinor} refunded of ${payment.amountMinor}`);
    if ((refunded.get(payment.id) ?? 0) !== payment.refundedMinor) breach('payment refunds add up', [payment.id], `refunds ${refunded.get(payment.id) ?? 0}, payment says ${payment.refundedMinor}`);
  }

  checkAcrossBooks(books, breach);
  return breaches;
}

/** Orders ↔ reservations ↔ payments ↔ the gateway ↔ the ledger. */
function checkAcrossBooks(books: Books, breach: (rule: string, ids: string[], detail: string) => void): void {
  const reservationOf = new Map(books.reservations.map((r) => [r.orderId, r]));
  const paymentOf = new Map(books.payments.map((p) => [p.orderId, p]));
  const chargeById = new Map(books.gatewayCharges.map((c) => [c.id, c]));
  const chargedKeys = new Set(books.payments.map((p) => p.chargeId));

  for (const order of books.orders) {
    if (!FINAL_ORDER.has(order.status)) continue;
    const reservation = reservationOf.get(order.id);
    const payment = paymentOf.get(order.id);
    const captured = payment !== undefined && CAPTURED.has(payment.status);
    if (order.status === 'COMPLETED') {
      if (reservation?.status !== 'COMMITTED') breach('a completed order has its stock sold', [order.id], `reservation ${reservation?.status ?? 'missing'}`);
      if (!captured) breach('a completed order is paid', [order.id], `payment ${payment?.status ?? 'missing'}`);
      else if (order.amountMinor !== null && payment.amountMinor !== order.amountMinor) breach('an order is paid its amount', [order.id, payment.id], `order ${order.amountMinor}, payment ${payment.amountMinor}`);
    } else {
      if (reservation?.status === 'COMMITTED' || reservation?.status === 'HELD') breach('a cancelled order holds no stock', [order.id], `reservation ${reservation.status}`);
      if (payment && !captured && payment.status !== 'FAILED') breach('a cancelled order has no payment in flight', [order.id, payment.id], `payment ${payment.status}`);
      if (captured && payment.refundedMinor !== payment.amountMinor) breach('a cancelled order is given back in full', [order.id, payment.id], `${payment.refundedMinor} of ${payment.amountMinor} refunded`);
    }
  }

  for (const payment of books.payments) {
    if (!CAPTURED.has(payment.status)) continue;
    if (payment.kind === 'TOP_UP') {
      if (books.ledger.get(`top_up:${payment.orderId}`) !== payment.amountMinor) breach('a top-up is journaled', [payment.id], `ledger top_up:${payment.orderId} = ${books.ledger.get(`top_up:${payment.orderId}`) ?? 'missing'}`);
    } else if (payment.method === 'WALLET') {
      const hold = `hold:charge:${payment.orderId}`;
      if (!books.ledger.has(`post:${hold}`) && !books.ledger.has(`void:${hold}`)) breach('a wallet payment is posted or voided', [payment.id], `no post:/void:${hold}`);
      continue;
    } else if (books.ledger.get(`charge:${payment.id}`) !== payment.amountMinor) {
      breach('a capture is journaled at its amount', [payment.id], `ledger charge:${payment.id} = ${books.ledger.get(`charge:${payment.id}`) ?? 'missing'}, captured ${payment.amountMinor}`);
    }
    const charge = payment.chargeId ? chargeById.get(payment.chargeId) : undefined;
    if (!charge || charge.status !== 'succeeded') breach('a capture is a gateway charge', [payment.id, payment.chargeId ?? 'none'], `gateway charge ${charge?.status ?? 'missing'}`);
    else if (charge.amountMinor !== payment.amountMinor || charge.currency !== payment.currency || charge.refundedMinor !== payment.refundedMinor) {
      breach('gateway and payment agree', [payment.id, charge.id], `gateway ${charge.amountMinor} ${charge.currency} (refunded ${charge.refundedMinor}), ours ${payment.amountMinor} ${payment.currency} (refunded ${payment.refundedMinor})`);
    }
  }
  for (const refund of books.refunds) {
    const payment = books.payments.find((p) => p.id === refund.paymentId);
    if (refund.status !== 'SUCCEEDED' || !payment || payment.method === 'WALLET' || !CAPTURED.has(payment.status)) continue;
    if (books.ledger.get(`refund:${refund.id}`) !== refund.amountMinor) breach('a refund is journaled at its amount', [refund.id, payment.id], `ledger refund:${refund.id} = ${books.ledger.get(`refund:${refund.id}`) ?? 'missing'}`);
  }

  // At most one successful charge per payment, and none the platform keeps without a payment.
  for (const charge of books.gatewayCharges) {
    if (charge.status !== 'succeeded' || chargedKeys.has(charge.id)) continue;
    if (charge.refundedMinor !== charge.amountMinor) breach('every kept gateway charge is a payment of ours', [charge.id, charge.idempotencyKey], `${charge.amountMinor - charge.refundedMinor} ${charge.currency} kept with no payment`);
  }
}
