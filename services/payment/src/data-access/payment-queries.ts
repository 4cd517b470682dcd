import type { PrismaClient } from './generated/client.ts';

/** A payment (by its id or its order's), with its masked method, state history, refunds and every gateway call. */
export async function paymentDetails(client: PrismaClient, id: string) {
  const payment = (await client.payment.findUnique({ where: { id } })) ?? (await client.payment.findUnique({ where: { orderId: id } }));
  if (!payment) return null;
  const [history, calls, refunds] = await Promise.all([
    client.paymentStateChange.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } }),
    client.gatewayCall.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } }),
    client.paymentRefund.findMany({ where: { paymentId: payment.id }, orderBy: { createdAt: 'asc' } }),
  ]);
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
 * Deletes intents older than the retention, 1,000 at a time: by then their payment has long taken
 * what it needed (its method and parties are copied onto the payment, the token erased), or the
 * order they were filed for was never announced and its token must not be kept.
 */
export async function pruneIntents(client: PrismaClient, retentionHours: number): Promise<number> {
  return client.$executeRawUnsafe(
    `DELETE FROM payment_intent WHERE order_id IN (SELECT order_id FROM payment_intent WHERE created_at < now() - make_interval(secs => $1::double precision * 3600) LIMIT 1000)`,
    retentionHours,
  );
}
