/**
 * What the inventory use cases need from storage and messaging, as plain data. data-access/
 * implements it on one transaction, so a use case's changes and events commit together.
 */
import type { AuditEntry } from '@platform/shared/audit/audit-log';
import type { NewEvent } from '@platform/shared/envelope';

export interface Product {
  id: string;
  merchantId: string | null;
  sku: string;
  name: string;
  priceMinor: bigint;
  currency: string;
  available: number;
  reserved: number;
  sold: number;
  holdSeconds: number | null;
}

export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED';

export interface Reservation {
  id: string;
  orderId: string;
  productId: string;
  quantity: number;
  status: ReservationStatus;
  releaseReason: string | null;
  expiresAt: Date;
}

export interface InventoryStore {
  insertProduct(product: Omit<Product, 'reserved' | 'sold'>): Promise<Product>;
  findProduct(id: string): Promise<Product | null>;
  /** Serializes work on one order's reservation for the rest of the transaction. */
  lockOrder(orderId: string): Promise<void>;
  /** available -= quantity, reserved += quantity, only if that leaves available >= 0. */
  holdStock(productId: string, quantity: number): Promise<boolean>;
  /** reserved -= quantity, available += quantity. */
  returnStock(productId: string, quantity: number): Promise<void>;
  /** reserved -= quantity, sold += quantity. */
  sellStock(productId: string, quantity: number): Promise<void>;
  findReservationByOrder(orderId: string): Promise<Reservation | null>;
  insertReservation(reservation: Omit<Reservation, 'releaseReason'>): Promise<void>;
  /**
   * `holdStock` and `insertReservation` at once, for an order that has no hold yet: false, with
   * nothing changed, if the stock is not there or the order already has a hold.
   */
  holdForNewOrder(reservation: Omit<Reservation, 'releaseReason'>): Promise<boolean>;
  /**
   * `settleHeld(…, 'COMMITTED')` and `sellStock` at once for the order's hold, if it is HELD and
   * unexpired at `now`: its id, or null with nothing changed.
   */
  sellHeldOfOrder(orderId: string, now: Date): Promise<string | null>;
  /** A sale taken back (its order was cancelled after all): sold -= quantity, available += quantity, COMMITTED → RELEASED; false if it was not COMMITTED. */
  unsell(reservation: Reservation, reason: string): Promise<boolean>;
  /** Moves a HELD reservation on; false if it was no longer HELD. */
  settleHeld(reservationId: string, to: Exclude<ReservationStatus, 'HELD'>, reason: string | null): Promise<boolean>;
  /** Expired HELD reservations, locked for this transaction (others skip them). */
  claimExpired(now: Date, limit: number): Promise<Reservation[]>;
}

export interface InventoryContext {
  store: InventoryStore;
  /** Appends to this service's audit log, in the same transaction. */
  audit?: (entry: AuditEntry) => Promise<void>;
  publish(events: readonly NewEvent[]): Promise<void>;
  now(): Date;
  defaultHoldSeconds: number;
}
