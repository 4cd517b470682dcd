/**
 * Asks the inventory service whether a product exists, so an order for an unknown product is
 * refused at once (422) instead of being cancelled later. Products are never deleted, so a
 * "yes" is remembered: a burst of orders for one product asks once, not once per order.
 * Bounded: 5 s per try, two tries, and a circuit breaker that answers "unavailable" (503) at
 * once while inventory is down.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { AppError } from '@platform/shared/errors';
import type { ProductCatalog } from '../domain/ports.ts';

const KNOWN_PRODUCTS_LIMIT = 100_000;

export function inventoryCatalog(inventoryUrl: string): ProductCatalog {
  const policy = wrap(
    retry(handleAll, { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 500 }) }),
    circuitBreaker(handleAll, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(10) }),
    timeout(5_000, TimeoutStrategy.Aggressive),
  );
  const known = new Set<string>();
  // Single flight: a burst of orders for a product not yet known shares one lookup.
  const inFlight = new Map<string, Promise<boolean>>();
  async function lookUp(productId: string): Promise<boolean> {
    let status: number;
    try {
      status = await policy.execute(async ({ signal }) => {
        const response = await fetch(`${inventoryUrl}/products/${encodeURIComponent(productId)}`, { signal });
        if (response.status >= 500) throw new Error(`inventory answered ${response.status}`);
        await response.body?.cancel();
        return response.status;
      });
    } catch (error) {
      throw new AppError('unavailable', 'the product catalogue is unavailable; try again shortly', undefined, { cause: error });
    }
    if (status === 200) {
      if (known.size >= KNOWN_PRODUCTS_LIMIT) known.clear();
      known.add(productId);
      return true;
    }
    if (status === 404) return false;
    throw new AppError('unavailable', `the product catalogue answered ${status}`);
  }
  return {
    async exists(productId) {
      if (known.has(productId)) return true;
      let lookup = inFlight.get(productId);
      if (!lookup) {
        lookup = lookUp(productId).finally(() => inFlight.delete(productId));
        inFlight.set(productId, lookup);
      }
      return lookup;
    },
  };
}
