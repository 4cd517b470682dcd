import { PrismaPg } from '@prisma/adapter-pg';
import { newId } from '../domain/create-charge.ts';
import type { Charge, ChargeStatus, PspStore, Refund } from '../domain/ports.ts';
import { PrismaClient, type Prisma } from './generated/client.ts';

export function connectPspDatabase(url: string, poolSize: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}

type ChargeRow = Prisma.ChargeGetPayload<object>;
const asCharge = (row: ChargeRow): Charge => ({ ...row, status: row.status as ChargeStatus, methodType: row.methodType as Charge['methodType'] });

/** A webhook event for a charge that reached its final state, written with that state. */
export async function enqueueChargeEvent(tx: Prisma.TransactionClient, charge: Charge): Promise<void> {
  const id = newId('evt');
  const type = `charge.${charge.status}`;
  const payload = JSON.stringify({ id, type, created: Math.floor(Date.now() / 1000), data: { object: chargeView(charge) } });
  await tx.webhookEvent.create({ data: { id, type, payload } });
}

/** The charge as the API shows it (and webhooks carry it). */
export function chargeView(charge: Charge) {
  return {
    id: charge.id,
    object: 'charge',
    amount: Number(charge.amountMinor),
    amount_refunded: Number(charge.amountRefunded),
    currency: charge.currency,
    status: charge.status,
    failure_code: charge.failureCode,
    payment_method: charge.methodType === 'card' ? { type: 'card', card: { brand: charge.cardBrand, last4: charge.cardLast4 } } : { type: 'upi_collect', upi: { vpa: charge.upiVpa }, expires_at: charge.expiresAt?.toISOString() ?? null },
    idempotency_key: charge.idempotencyKey,
    reference: charge.reference,
    created: Math.floor(charge.createdAt.getTime() / 1000),
  };
}

export function pspStore(client: PrismaClient): PspStore {
  return {
    async findChargeByKey(idempotencyKey) {
      const row = await client.charge.findUnique({ where: { idempotencyKey } });
      return row && asCharge(row);
    },
    async findCharge(id) {
      const row = await client.charge.findUnique({ where: { id } });
      return row && asCharge(row);
    },
    async countTransientFailure(idempotencyKey) {
      const rows = await client.$queryRawUnsafe<{ failures: number }[]>(
        `INSERT INTO transient_failure (idempotency_key, failures) VALUES ($1, 1)
         ON CONFLICT (idempotency_key) DO UPDATE SET failures = transient_failure.failures + 1 RETURNING failures`,
        idempotencyKey,
      );
      return rows[0]!.failures;
    },
    async insertCharge(charge) {
      await client.charge.createMany({ data: [charge], skipDuplicates: true });
      return asCharge(await client.charge.findUniqueOrThrow({ where: { idempotencyKey: charge.idempotencyKey } }));
    },
    async refund(request) {
      return client.$transaction(async (tx) => {
        const existing = await tx.refund.findUnique({ where: { idempotencyKey: request.idempotencyKey } });
        if (existing) return existing as Refund;
        // The charge's row lock serializes refunds of one charge: the total never passes the amount.
        const locked = await tx.$queryRawUnsafe<{ status: string; left: bigint; currency: string }[]>('SELECT status, amount_minor - amount_refunded AS left, currency FROM charge WHERE id = $1 FOR UPDATE', request.chargeId);
        const charge = locked[0];
        if (!charge) return 'charge-not-found' as const;
        if (charge.status !== 'succeeded') return 'not-refundable' as const;
        if (BigInt(charge.left) < request.amountMinor) return 'amount-too-large' as const;
        await tx.charge.update({ where: { id: request.chargeId }, data: { amountRefunded: { increment: request.amountMinor } } });
        return (await tx.refund.create({ data: { ...request, currency: charge.currency, status: 'succeeded' } })) as Refund;
      });
    },
    async settlePending(chargeId, outcome) {
      return client.$transaction(async (tx) => {
        const { count } = await tx.charge.updateMany({ where: { id: chargeId, status: 'pending' }, data: { status: outcome.status, failureCode: outcome.failureCode } });
        if (count === 0) return null;
        const charge = asCharge(await tx.charge.findUniqueOrThrow({ where: { id: chargeId } }));
        await enqueueChargeEvent(tx, charge);
        return charge;
      });
    },
  };
}
