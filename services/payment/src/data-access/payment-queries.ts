import type { PrismaClient } from './generated/client.ts';

/**
 * A payment (by its id or its order's), with its masked method, state history, refunds and every
 * gateway call — read in one snapshot (REPEATABLE READ): read one by one, a charge recorded a
 * moment ago could show beside the status it has already left.
 */
export async function paymentDetails(client: PrismaClient, id: string) {
  return client.$transaction(async (tx) => {
    const payment = (await tx.payment.findUnique({ where: { id } })) ?? (await tx.payment.findUnique({ where: { orderId: id } }));
    if (!payment) return null;
    const history = await tx.paymentStateChange.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } });
    const calls = await tx.gatewayCall.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } });
    const refunds = await tx.paymentRefund.findMany({ where: { paymentId: payment.id }, orderBy: { createdAt: 'asc' } });
    return detailsView(payment, history, calls, refunds);
  }, { isolationLevel: 'RepeatableRead' });
}

type Loaded<K extends 'payment' | 'paymentStateChange' | 'gatewayCall' | 'paymentRefund'> = NonNullable<Awaited<ReturnType<PrismaClient[K]['findFirst']>>>;

function detailsView(payment: Loaded<'payment'>, history: Loaded<'paymentStateChange'>[], calls: Loaded<'gatewayCall'>[], refunds: Loaded<'paymentRefund'>[]) {
  return {
    id: payment.id,
    paymentId: payment.id,
    orderId: payment.orderId,
    customerId: payment.customerId,
    merchantId: payment.merchantId,
    status: payment.status,
    method: { type: payment.method, summary: payment.methodSummary },
    amountMinor: Number(payment.amountMinor),
    refundedMinor: Number(payment.refundedMinor),
    currency: payment.currency,
    failureReason: payment.failureReason,
    chargeId: payment.chargeId,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    history: history.map((change) => ({ status: change.status, detail: change.detail, at: change.at.toISOString() })),
    refunds: refunds.map(refundView),
    gatewayOperations: calls.map((call) => ({ kind: call.kind, idempotencyKey: call.idempotencyKey, outcome: call.outcome, reference: call.reference, at: call.createdAt.toISOString() })),
  };
}

export function refundView(refund: { id: string; paymentId: string; amountMinor: bigint; currency: string; reason: string; status: string; requestedBy: string; createdAt: Date }) {
  return { id: refund.id, paymentId: refund.paymentId, amountMinor: Number(refund.amountMinor), currency: refund.currency, reason: refund.reason, status: refund.status, requestedBy: refund.requestedBy, createdAt: refund.createdAt.toISOString() };
}

/**
 * Past the retention, 1,000 at a time: an intent whose payment has been charged (or failed) is
 * deleted, it has nothing left to give; one no payment has used yet keeps its row (a late
 * `inventory.reserved` must find it, and then fails the payment cleanly) but loses its card token
 * and payer address, and goes after 30 days. Deleting those early would dead-letter the late event.
 */
export async function pruneIntents(client: PrismaClient, retentionHours: number): Promise<number> {
  const past = 'created_at < now() - make_interval(secs => $1::double precision * 3600)';
  const erased = await client.$executeRawUnsafe(
    `UPDATE payment_intent SET card_token_encrypted = NULL, upi_vpa_encrypted = NULL WHERE (card_token_encrypted IS NOT NULL OR upi_vpa_encrypted IS NOT NULL) AND ${past}`,
    retentionHours,
  );
  const deleted = await client.$executeRawUnsafe(
    `DELETE FROM payment_intent WHERE order_id IN (
       SELECT i.order_id FROM payment_intent i WHERE i.${past}
          AND (EXISTS (SELECT 1 FROM payment p WHERE p.order_id = i.order_id AND p.status <> 'INITIATED') OR i.created_at < now() - interval '30 days')
        LIMIT 1000)`,
    retentionHours,
  );
  return erased + deleted;
}
