import type { PrismaClient } from './generated/client.ts';

/** The order's payment and every gateway operation made for it, or null. */
export async function paymentWithOperations(client: PrismaClient, orderId: string) {
  const payment = await client.payment.findUnique({ where: { orderId } });
  if (!payment) return null;
  const operations = await client.gatewayOperation.findMany({
    where: { idempotencyKey: { in: [`charge:${orderId}`, `refund:${payment.id}`] } },
    orderBy: { createdAt: 'asc' },
  });
  return {
    ...payment,
    amountMinor: Number(payment.amountMinor),
    gatewayOperations: operations.map((operation) => ({ kind: operation.kind, outcome: operation.outcome, amountMinor: Number(operation.amountMinor), reference: operation.reference })),
  };
}

/** Erases card tokens of intents older than the retention that no payment used. */
export async function eraseStaleCardTokens(client: PrismaClient, retentionHours: number): Promise<number> {
  return client.$executeRawUnsafe(
    `UPDATE payment_intent SET card_token_encrypted = NULL
     WHERE card_token_encrypted IS NOT NULL AND created_at < now() - make_interval(hours => $1)`,
    retentionHours,
  );
}
