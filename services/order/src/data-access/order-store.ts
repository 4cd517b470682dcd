import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Order, OrderStore } from '../domain/ports.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { AdvancePlan } from '../domain/advance-order.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { outboxInsert } from '@platform/shared/outbox/write-events';
import { recordAnswerSql } from '@platform/shared/http/idempotency';
import type { Order as OrderRow } from './generated/client.ts';

const EMAIL = 'orders.customer_email';

export function toOrder(row: OrderRow, cipher: FieldCipher): Order {
  return { ...row, status: row.status as OrderStatus, customerEmail: decryptNullable(cipher, row.customerEmail, EMAIL) };
}

// Raw SQL on the saga's hot path: Prisma compiles every model query anew (≈ a fifth of this
// service's CPU under load, measured with --cpu-prof); listing and other cold paths keep Prisma.
const ORDER_COLUMNS = `id, product_id AS "productId", quantity, customer_id AS "customerId", merchant_id AS "merchantId",
  customer_email_encrypted AS "customerEmail", status, cancellation_reason AS "cancellationReason",
  amount_minor AS "amountMinor", currency, created_at AS "createdAt", updated_at AS "updatedAt"`;

export function orderStore(tx: SqlTransaction, cipher: FieldCipher): OrderStore {
  return {
    async findIdempotencyKey(key) {
      const rows = await tx.$queryRawUnsafe<Array<{ requestHash: string; orderId: string }>>('SELECT request_hash AS "requestHash", order_id::text AS "orderId" FROM idempotency_key WHERE key = $1', key);
      return rows[0] ?? null;
    },
    async createOrderOnce(order, idempotency, announcement, answer) {
      // One statement, so no transaction and one round trip: the key row decides (a racing
      // request with the key waits on it, then inserts nothing), and the order and its outbox
      // rows are written only if the key was. The relay is notified only when they were.
      const announce = outboxInsert(announcement, 11);
      const values: unknown[] = [];
      const param = (value: unknown) => `$${11 + announce.values.length + values.push(value) - 1}`;
      // The request's answer for replays, only if this statement made the order it describes.
      const answered = answer ? `, answered AS (${recordAnswerSql(answer, param)} AND EXISTS (SELECT 1 FROM created) RETURNING 1)` : '';
      const rows = await tx.$queryRawUnsafe<OrderRow[]>(
        `WITH claimed AS (
           INSERT INTO idempotency_key (key, request_hash, order_id) VALUES ($1, $2, $3::uuid) ON CONFLICT (key) DO NOTHING RETURNING order_id),
         created AS (
           INSERT INTO orders (id, product_id, quantity, customer_id, merchant_id, customer_email_encrypted, status, created_at, updated_at)
           SELECT $3::uuid, $4::uuid, $5, $6::uuid, $7::uuid, $8, $9, COALESCE($10::timestamptz, now()), COALESCE($10::timestamptz, now()) FROM claimed
           RETURNING ${ORDER_COLUMNS}),
         announced AS (${announce.sql} WHERE EXISTS (SELECT 1 FROM claimed) RETURNING 1)${answered}
         SELECT created.* FROM created CROSS JOIN (SELECT pg_notify('outbox', '') FROM claimed) AS woken`,
        idempotency.key,
        idempotency.requestHash,
        order.id,
        order.productId,
        order.quantity,
        order.customerId,
        order.merchantId,
        encryptNullable(cipher, order.customerEmail, EMAIL),
        order.status,
        order.createdAt ?? null,
        ...announce.values,
        ...values,
      );
      return rows[0] ? toOrder(rows[0], cipher) : null;
    },
    async findOrder(id) {
      const rows = await tx.$queryRawUnsafe<OrderRow[]>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1::uuid`, id);
      return rows[0] ? toOrder(rows[0], cipher) : null;
    },
    async moveOrder(id, from, to, changes) {
      const rows = await tx.$queryRawUnsafe<OrderRow[]>(
        `${moveUpdate({ id: '$1', from: '$2', to: '$3', reason: '$4', amount: '$5', currency: '$6' })} RETURNING ${ORDER_COLUMNS}`,
        id,
        from,
        to,
        changes.cancellationReason ?? null,
        changes.amountMinor ?? null,
        changes.currency ?? null,
      );
      return rows[0] ? toOrder(rows[0], cipher) : null;
    },
  };
}

/** The move of `moveOrder` and of its one-statement form, so the two cannot drift apart: only forward, only from `from`. */
function moveUpdate(at: { id: string; from: string; to: string; reason: string; amount: string; currency: string }): string {
  return `UPDATE orders SET status = ${at.to}, cancellation_reason = COALESCE(${at.reason}, cancellation_reason),
    amount_minor = COALESCE(${at.amount}::bigint, amount_minor), currency = COALESCE(${at.currency}, currency), updated_at = now()
    WHERE id = ${at.id}::uuid AND status = ANY(${at.from}::text[])`;
}

/** The planned move as the change of a one-statement apply, made only if `admitted` holds. */
export function moveOrderChange(plan: AdvancePlan, param: (value: unknown) => string, admitted: string): string {
  const at = {
    id: param(plan.orderId),
    from: param(plan.from),
    to: param(plan.to),
    reason: param(plan.changes.cancellationReason ?? null),
    amount: param(plan.changes.amountMinor ?? null),
    currency: param(plan.changes.currency ?? null),
  };
  return `${moveUpdate(at)} AND ${admitted} RETURNING 1`;
}

/** Whom a listing covers, and an admin's search: one customer, one merchant, one idempotency key. */
export interface OrderScope {
  customerId?: string;
  merchantId?: string;
  /** The key as the customer sent it (stored as `<customer id>:<key>`). */
  idempotencyKey?: string;
}

/** A page of orders, newest first, for one customer, one merchant or everyone (admins). */
export async function listOrders(db: SqlTransaction, cipher: FieldCipher, scope: OrderScope, page: { limit: number; before?: Date | undefined }): Promise<Order[]> {
  // A key without its customer is found by the stored key's suffix: a scan, for admins only.
  const keyPattern = scope.idempotencyKey === undefined ? null : `%:${scope.idempotencyKey.replace(/[\\%_]/g, (c) => `\\${c}`)}`;
  const rows = await db.$queryRawUnsafe<OrderRow[]>(
    `SELECT ${ORDER_COLUMNS} FROM orders
     WHERE ($1::uuid IS NULL OR customer_id = $1::uuid) AND ($2::uuid IS NULL OR merchant_id = $2::uuid) AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)
       AND ($5::text IS NULL OR id IN (SELECT order_id FROM idempotency_key WHERE key LIKE $5::text))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    scope.customerId ?? null,
    scope.merchantId ?? null,
    page.before ?? null,
    page.limit,
    keyPattern,
  );
  return rows.map((row) => toOrder(row, cipher));
}
