import type { PrismaClient } from './generated/client.ts';

/**
 * The day's settlement report (UTC): every succeeded charge and every refund created that day,
 * with totals per currency, as a processor sends a merchant for reconciliation.
 */
export async function settlementReport(client: PrismaClient, date: string) {
  const from = new Date(`${date}T00:00:00.000Z`);
  const to = new Date(from.getTime() + 24 * 3600 * 1000);
  const charges = await client.charge.findMany({ where: { status: 'succeeded', createdAt: { gte: from, lt: to } }, orderBy: { createdAt: 'asc' } });
  const refunds = await client.refund.findMany({ where: { createdAt: { gte: from, lt: to } }, orderBy: { createdAt: 'asc' } });
  const totals = new Map<string, { currency: string; charged: number; refunded: number; net: number }>();
  const totalOf = (currency: string) => totals.get(currency) ?? totals.set(currency, { currency, charged: 0, refunded: 0, net: 0 }).get(currency)!;
  for (const charge of charges) totalOf(charge.currency).charged += Number(charge.amountMinor);
  for (const refund of refunds) totalOf(refund.currency).refunded += Number(refund.amountMinor);
  for (const total of totals.values()) total.net = total.charged - total.refunded;
  return {
    date,
    totals: [...totals.values()],
    charges: charges.map((charge) => ({ id: charge.id, amount: Number(charge.amountMinor), currency: charge.currency, idempotency_key: charge.idempotencyKey, reference: charge.reference, created: charge.createdAt.toISOString() })),
    refunds: refunds.map((refund) => ({ id: refund.id, charge: refund.chargeId, amount: Number(refund.amountMinor), currency: refund.currency, idempotency_key: refund.idempotencyKey, created: refund.createdAt.toISOString() })),
  };
}
