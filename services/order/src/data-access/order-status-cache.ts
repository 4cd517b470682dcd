/**
 * Redis in front of `GET /orders/:id` for customers polling their order (a flash sale's
 * buyers waiting for the outcome): while the order is still moving, what the database answered
 * is kept a moment, and forgotten when this service moves the order (`forget`, after the move
 * committed). A final order is not kept: polling ends there, and its reads (and their answer
 * when the database is down, a 503) stay the database's.
 *
 * Nothing decides on it: a service's own reads, the saga's steps and every money or stock
 * decision read the database. It is only ever an offload: a miss, an entry it cannot read, a slow
 * or absent Redis (each command bounded by the client's 100 ms timeout) all go to the database.
 * A stale entry is possible and bounded: a read that began before a move and stores its answer
 * after that move's `forget` keeps the old status for at most OPEN_TTL_SECONDS. The customer's
 * e-mail is never stored.
 */
import type { Redis } from 'ioredis';
import { isFinal, ORDER_STATUSES, type OrderStatus } from '../domain/order-status.ts';
import type { Order } from '../domain/ports.ts';

/** How long an order that can still move is answered from Redis (the worst staleness). */
export const OPEN_TTL_SECONDS = 2;

/** An order as a status read needs it: everything but personal data. */
export type OrderSnapshot = Omit<Order, 'customerEmail'>;

interface Stored extends Omit<OrderSnapshot, 'amountMinor' | 'createdAt' | 'updatedAt'> {
  amountMinor: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderStatusCache {
  /** The cached order, or `load`'s answer (kept for the next read). */
  read(id: string, load: () => Promise<Order | null>): Promise<OrderSnapshot | null>;
  /** After a move committed: the next read goes to the database. Never fails. */
  forget(id: string): Promise<void>;
}

export const cacheKey = (id: string) => `order-status:${id}`;

export function orderStatusCache(redis: Redis | undefined): OrderStatusCache {
  if (!redis) return { read: (_id, load) => load(), forget: async () => undefined };
  return {
    async read(id, load) {
      const cached = fromText(await redis.get(cacheKey(id)).catch(() => null));
      if (cached) return cached;
      const order = await load();
      // Unknown orders are not remembered: an id must not be answered "none" once it exists.
      if (order && !isFinal(order.status)) await redis.set(cacheKey(id), JSON.stringify(toStored(order)), 'EX', OPEN_TTL_SECONDS).catch(() => undefined);
      return order ? snapshotOf(order) : null;
    },
    async forget(id) {
      await redis.del(cacheKey(id)).catch(() => undefined);
    },
  };
}

function snapshotOf(order: Order): OrderSnapshot {
  const { customerEmail: _personal, ...snapshot } = order;
  return snapshot;
}

function toStored(order: Order): Stored {
  const snapshot = snapshotOf(order);
  return { ...snapshot, amountMinor: order.amountMinor === null ? null : order.amountMinor.toString(), createdAt: order.createdAt.toISOString(), updatedAt: order.updatedAt.toISOString() };
}

/** An entry this code can read, or null (a miss): an older shape or a damaged value goes to the database. */
function fromText(text: string | null): OrderSnapshot | null {
  if (!text) return null;
  try {
    const stored = JSON.parse(text) as Partial<Stored>;
    if (typeof stored.id !== 'string' || !ORDER_STATUSES.includes(stored.status as OrderStatus) || typeof stored.createdAt !== 'string' || typeof stored.updatedAt !== 'string') return null;
    const full = stored as Stored;
    return { ...full, amountMinor: full.amountMinor === null ? null : BigInt(full.amountMinor), createdAt: new Date(full.createdAt), updatedAt: new Date(full.updatedAt) };
  } catch {
    return null;
  }
}
