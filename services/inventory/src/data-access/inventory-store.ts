import { AppError } from '@platform/shared/errors';
import type { InventoryStore, Product, Reservation, ReservationStatus } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { holdsOrderLock, orderLockKey } from './batch-locks.ts';
import type { Product as ProductModel, Reservation as ReservationModel } from './generated/client.ts';

type ProductRow = Omit<ProductModel, 'received' | 'createdAt'>;
type ReservationRow = Omit<ReservationModel, 'createdAt' | 'updatedAt'>;

const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  merchantId: row.merchantId,
  sku: row.sku,
  name: row.name,
  priceMinor: row.priceMinor,
  currency: row.currency,
  available: row.available,
  reserved: row.reserved,
  sold: row.sold,
  holdSeconds: row.holdSeconds,
});

const toReservation = (row: ReservationRow): Reservation => ({
  id: row.id,
  orderId: row.orderId,
  productId: row.productId,
  quantity: row.quantity,
  status: row.status as ReservationStatus,
  releaseReason: row.releaseReason,
  expiresAt: row.expiresAt,
});

// The saga's hot path in raw SQL (Prisma compiles every model query anew: measured with --cpu-prof).
const PRODUCT_COLUMNS = `id::text, merchant_id::text AS "merchantId", sku, name, price_minor AS "priceMinor", currency, available, reserved, sold, hold_seconds AS "holdSeconds"`;
const RESERVATION_COLUMNS = `id::text, order_id::text AS "orderId", product_id::text AS "productId", quantity, status, release_reason AS "releaseReason", expires_at AS "expiresAt"`;

/** SQLSTATE 23505, as `pg` reports it, or inside Prisma's raw-query error (P2010). */
function isUniqueViolation(error: unknown): boolean {
  const { code, meta } = error as { code?: string; meta?: { code?: string } };
  return code === '23505' || meta?.code === '23505';
}

/** A new hold's columns as $1-$6: id, order, product, quantity, status, expiry. */
const reservationValues = (reservation: Omit<Reservation, 'releaseReason'>) => [reservation.id, reservation.orderId, reservation.productId, reservation.quantity, reservation.status, reservation.expiresAt];

/** The inventory store on one transaction (SQL alone). Stock moves are single conditional UPDATEs. */
export function inventoryStore(tx: SqlTransaction): InventoryStore {
  return {
    async insertProduct(product) {
      try {
        const rows = await tx.$queryRawUnsafe<ProductRow[]>(
          `INSERT INTO product (id, merchant_id, sku, name, price_minor, currency, available, stock_received, hold_seconds)
           VALUES ($1::uuid, $2::uuid, $3, $4, $5::bigint, $6, $7, $7, $8) RETURNING ${PRODUCT_COLUMNS}`,
          product.id,
          product.merchantId,
          product.sku,
          product.name,
          product.priceMinor,
          product.currency,
          product.available,
          product.holdSeconds,
        );
        return toProduct(rows[0]!);
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('conflict', `this merchant already has a product with sku "${product.sku}"`);
        throw error;
      }
    },
    async findProduct(id) {
      const rows = await tx.$queryRawUnsafe<ProductRow[]>(`SELECT ${PRODUCT_COLUMNS} FROM product WHERE id = $1::uuid`, id);
      return rows[0] ? toProduct(rows[0]) : null;
    },
    async lockOrder(orderId) {
      if (holdsOrderLock(tx, orderId)) return; // taken with its batch's locks (batch-locks.ts)
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${orderLockKey('$1')})`, orderId);
    },
    async holdStock(productId, quantity) {
      const held = await tx.$executeRawUnsafe(
        'UPDATE product SET available = available - $2, reserved = reserved + $2 WHERE id = $1::uuid AND available >= $2',
        productId,
        quantity,
      );
      return held === 1;
    },
    async returnStock(productId, quantity) {
      await tx.$executeRawUnsafe('UPDATE product SET available = available + $2, reserved = reserved - $2 WHERE id = $1::uuid', productId, quantity);
    },
    async sellStock(productId, quantity) {
      await tx.$executeRawUnsafe('UPDATE product SET reserved = reserved - $2, sold = sold + $2 WHERE id = $1::uuid', productId, quantity);
    },
    async findReservationByOrder(orderId) {
      const rows = await tx.$queryRawUnsafe<ReservationRow[]>(`SELECT ${RESERVATION_COLUMNS} FROM reservation WHERE order_id = $1::uuid`, orderId);
      return rows[0] ? toReservation(rows[0]) : null;
    },
    async insertReservation(reservation) {
      await tx.$executeRawUnsafe(
        'INSERT INTO reservation (id, order_id, product_id, quantity, status, expires_at, updated_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, now())',
        ...reservationValues(reservation),
      );
    },
    async unsell(reservation, reason) {
      const count = await tx.$executeRawUnsafe("UPDATE reservation SET status = 'RELEASED', release_reason = $2, updated_at = now() WHERE id = $1::uuid AND status = 'COMMITTED'", reservation.id, reason);
      if (count === 1) await tx.$executeRawUnsafe('UPDATE product SET sold = sold - $2, available = available + $2 WHERE id = $1::uuid', reservation.productId, reservation.quantity);
      return count === 1;
    },
    async holdForNewOrder(reservation) {
      // Under the order's lock (lockOrder), so no hold for it can appear between the check and the insert.
      const written = await tx.$executeRawUnsafe(
        `WITH changed AS (
           UPDATE product SET available = available - $4::int, reserved = reserved + $4::int
            WHERE id = $3::uuid AND available >= $4::int AND NOT EXISTS (SELECT 1 FROM reservation WHERE order_id = $2::uuid) RETURNING id)
         INSERT INTO reservation (id, order_id, product_id, quantity, status, expires_at, updated_at)
         SELECT $1::uuid, $2::uuid, id, $4::int, $5, $6, now() FROM changed`,
        ...reservationValues(reservation),
      );
      return written === 1;
    },
    async sellHeldOfOrder(orderId, now) {
      const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(
        `WITH changed AS (
           UPDATE reservation SET status = 'COMMITTED', release_reason = NULL, updated_at = now()
            WHERE order_id = $1::uuid AND status = 'HELD' AND expires_at > $2::timestamptz RETURNING id, product_id, quantity),
         sold AS (UPDATE product SET reserved = reserved - held.quantity, sold = sold + held.quantity FROM changed AS held WHERE product.id = held.product_id RETURNING 1)
         SELECT id::text FROM changed`,
        orderId,
        now,
      );
      return rows[0]?.id ?? null;
    },
    async settleHeld(reservationId, to, reason) {
      const count = await tx.$executeRawUnsafe("UPDATE reservation SET status = $2, release_reason = $3, updated_at = now() WHERE id = $1::uuid AND status = 'HELD'", reservationId, to, reason);
      return count === 1;
    },
    async claimExpired(now, limit) {
      const rows = await tx.$queryRawUnsafe<ReservationRow[]>(
        `SELECT ${RESERVATION_COLUMNS} FROM reservation WHERE status = 'HELD' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        now,
        limit,
      );
      return rows.map(toReservation);
    },
  };
}
