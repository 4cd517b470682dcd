/**
 * Reconciliation's four books, read where each lives: the gateway's settlement over its API, our
 * payments and refunds here, the ledger's transfers and the orders' states by signed calls to
 * their services (never their databases). A book that cannot be read fails the run (503): a
 * comparison with a book missing would "find" mismatches that are not there.
 */
import { AppError } from '@platform/shared/errors';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { ReconciliationSources } from '../domain/run-reconciliation.ts';
import type { PrismaClient } from './generated/client.ts';
import type { SettlementReport } from './psp-client.ts';

const LOOKUP_BATCH = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const dayRange = (day: string) => {
  const from = new Date(`${day}T00:00:00.000Z`);
  return { gte: from, lt: new Date(from.getTime() + 86_400_000) };
};

async function ask<T>(signedFetch: InternalFetch, url: string, init: { method?: string; body?: string } = {}): Promise<T> {
  const response = await signedFetch(url, init).catch((error: unknown) => {
    throw new AppError('unavailable', `reconciliation could not reach ${new URL(url).host}: ${String(error)}`);
  });
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new AppError('unavailable', `${new URL(url).pathname} answered ${response.status}`);
  }
  if (response.status !== 200) throw new Error(`${new URL(url).pathname} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export function reconciliationSources(deps: { client: PrismaClient; settlement(day: string): Promise<SettlementReport>; signedFetch: InternalFetch; ledgerUrl: string; orderUrl: string }): ReconciliationSources {
  return {
    async settlement(day) {
      const report = await deps.settlement(day);
      return {
        charges: report.charges.map((charge) => ({ id: charge.id, idempotencyKey: charge.idempotency_key, amountMinor: charge.amount, currency: charge.currency, changedAt: new Date(charge.created) })),
        refunds: report.refunds.map((refund) => ({ id: refund.id, chargeId: refund.charge, idempotencyKey: refund.idempotency_key, amountMinor: refund.amount, currency: refund.currency, changedAt: new Date(refund.created) })),
      };
    },
    async payments(day, chargeKeys) {
      const namedOrders = chargeKeys.map((key) => key.replace(/^charge:/, '')).filter((orderId) => UUID.test(orderId));
      const rows = await deps.client.payment.findMany({ where: { OR: [{ createdAt: dayRange(day) }, { orderId: { in: namedOrders } }] } });
      const refunds = await deps.client.paymentRefund.findMany({ where: { paymentId: { in: rows.map((row) => row.id) } } });
      return {
        payments: rows.map((row) => ({
          paymentId: row.id,
          orderId: row.orderId,
          kind: row.kind as 'ORDER' | 'TOP_UP',
          method: row.method as 'CARD' | 'UPI' | 'WALLET',
          status: row.status,
          amountMinor: Number(row.amountMinor),
          currency: row.currency,
          chargeId: row.chargeId,
          customerId: row.customerId,
          merchantId: row.merchantId,
          changedAt: row.updatedAt,
        })),
        refunds: refunds.map((row) => ({ refundId: row.id, paymentId: row.paymentId, status: row.status, amountMinor: Number(row.amountMinor), gatewayRefundId: row.gatewayRefundId, changedAt: row.updatedAt })),
      };
    },
    async ledgerTransfers(ids) {
      const found = new Map<string, number>();
      for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
        const batch = ids.slice(start, start + LOOKUP_BATCH);
        const answer = await ask<{ transfers: Array<{ id: string; amountMinor: number }> }>(deps.signedFetch, `${deps.ledgerUrl}/ledger/transfers/lookup`, { method: 'POST', body: JSON.stringify({ ids: batch }) });
        for (const transfer of answer.transfers) found.set(transfer.id, transfer.amountMinor);
      }
      return found;
    },
    async orders(day) {
      const states = new Map<string, { status: string; changedAt: Date }>();
      let after: string | null = null;
      do {
        const page: { orders: Array<{ orderId: string; status: string; updatedAt: string }>; nextAfter: string | null } = await ask(deps.signedFetch, `${deps.orderUrl}/order-states?date=${day}${after ? `&after=${after}` : ''}`);
        for (const order of page.orders) states.set(order.orderId, { status: order.status, changedAt: new Date(order.updatedAt) });
        after = page.nextAfter;
      } while (after);
      return states;
    },
  };
}
