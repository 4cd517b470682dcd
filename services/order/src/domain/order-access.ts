import type { Identity } from '@platform/shared/http/identity';
import type { Order } from './ports.ts';

/**
 * Whether a caller may see an order: its customer, its merchant, an admin, or another service
 * (no identity: the call was signed by a service). Anyone else gets a 404, as if it did not
 * exist, so order ids cannot be probed.
 */
export function canSeeOrder(identity: Identity | null, order: Pick<Order, 'customerId' | 'merchantId'>): boolean {
  if (!identity || identity.role === 'admin') return true;
  if (identity.role === 'customer') return order.customerId === identity.sub;
  if (identity.role === 'merchant') return identity.merchantId !== null && order.merchantId === identity.merchantId;
  return false;
}

/** Which orders a listing covers for this caller. */
export function listingScope(identity: Identity): { customerId?: string; merchantId?: string } | null {
  if (identity.role === 'admin') return {};
  if (identity.role === 'customer') return { customerId: identity.sub };
  if (identity.role === 'merchant' && identity.merchantId) return { merchantId: identity.merchantId };
  return null;
}
