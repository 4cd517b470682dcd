import { PrismaPg } from '@prisma/adapter-pg';
import { PgSql, servicePool } from '@platform/shared/service/sql-transaction';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { newId } from '../domain/create-charge.ts';
import type { Charge, ChargeStatus, PspStore, Refund } from '../domain/ports.ts';
import { PrismaClient, type Prisma } from './generated/client.ts';

export interface PspDatabase {
  client: PrismaClient;
  /** Plain `pg` on the same pool, for the charge path and the polling jobs (Prisma cost half this process's CPU there). */
  sql: SqlTransaction;
  close(): Promise<void>;
}

export function connectPspDatabase(url: string, poolSize: number): PspDatabase {
  const pool = servicePool(url, poolSize);
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    client,
    sql: new PgSql(pool),
    async close() {
      await client.$disconnect();
      await pool.end();
    },
  };
}

const CHARGE_COLUMNS = `id, idempotency_key AS "idempotencyKey", request_hash AS "requestHash", amount_minor AS "amountMinor", currency,
  method_type AS "methodType", card_brand AS "cardBrand", card_last4 AS "cardLast4", upi_vpa AS "upiVpa", status, failure_code AS "failureCode",
  confirm_at AS "confirmAt", expires_at AS "expiresAt", amount_refunded AS "amountRefunded", reference, created_at AS "createdAt", updated_at AS "updatedAt"`;

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

export function pspStore({ client, sql }: PspDatabase): PspStore {
  const chargeWhere = async (condition: string, value: string) => {
    const rows = await sql.$queryRawUnsafe<ChargeRow[]>(`SELECT ${CHARGE_COLUMNS} FROM charge WHERE ${condition}`, value);
    return rows[0] ? asCharge(rows[0]) : null;
  };
  return {
    findChargeByKey: (idempotencyKey) => chargeWhere('idempotency_key = $1', idempotencyKey),
    findCharge: (id) => chargeWhere('id = $1', id),
    async countTransientFailure(idempotencyKey) {
      const rows = await sql.$queryRawUnsafe<{ failures: number }[]>(
        `INSERT INTO transient_failure (idempotency_key, failures) VALUES ($1, 1)
         ON CONFLICT (idempotency_key) DO UPDATE SET failures = transient_failure.failures + 1 RETURNING failures`,
        idempotencyKey,
      );
      return rows[0]!.failures;
    },
    async insertCharge(charge) {
      const inserted = await sql.$queryRawUnsafe<ChargeRow[]>(
        `INSERT INTO charge (id, idempotency_key, request_hash, amount_minor, currency, method_type, card_brand, card_last4, upi_vpa, status,
           failure_code, confirm_at, expires_at, amount_refunded, reference)
         VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, $8, $9, $10, $11, $12::timestamptz, $13::timestamptz, $14::bigint, $15)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${CHARGE_COLUMNS}`,
        charge.id,
        charge.idempotencyKey,
        charge.requestHash,
        charge.amountMinor,
        charge.currency,
        charge.methodType,
        charge.cardBrand,
        charge.cardLast4,
        charge.upiVpa,
        charge.status,
        charge.failureCode,
        charge.confirmAt,
        charge.expiresAt,
        charge.amountRefunded,
        charge.reference,
      );
      if (inserted[0]) return asCharge(inserted[0]);
      // A concurrent request with the key won (and has committed: the conflict waited for it).
      const winner = await chargeWhere('idempotency_key = $1', charge.idempotencyKey);
      if (!winner) throw new Error(`charge with key ${charge.idempotencyKey} neither inserted nor found`);
      return winner;
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
