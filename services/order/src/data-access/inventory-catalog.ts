/**
 * Asks the inventory service whether a product exists and who sells it, so an order for an
 * unknown product is refused at once (422) instead of being cancelled later. Products are
 * never deleted nor change hands, so an answer is remembered: a burst of orders for one
 * product asks once, not once per order. Calls are signed as the order service.
 * Bounded: 5 s per try, two tries, and a circuit breaker that answers "unavailable" (503) at
 * once while inventory is down.
 */
import { AppError } from '@platform/shared/errors';
import { callPolicy, type BreakerState } from './call-policy.ts';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { ProductCatalog } from '../domain/ports.ts';

type Found = { merchantId: string | null } | null;

const KNOWN_PRODUCTS_LIMIT = 100_000;

export function inventoryCatalog(inventoryUrl: string, signedFetch: InternalFetch, onBreakerState?: (state: BreakerState) => void): ProductCatalog {
  const policy = callPolicy(onBreakerState);
  const known = new Map<string, { merchantId: string | null }>();
  // Single flight: a burst of orders for a product not yet known shares one lookup.
  const inFlight = new Map<string, Promise<Found>>();
  async function lookUp(productId: string): Promise<Found> {
    let answer: { status: number; merchantId: string | null };
    try {
      answer = await policy.execute(async ({ signal }) => {
        const response = await signedFetch(`${inventoryUrl}/products/${encodeURIComponent(productId)}`, { signal });
        if (response.status >= 500) {
          await response.body?.cancel();
          throw new Error(`inventory answered ${response.status}`);
        }
        const body = response.status === 200 ? ((await response.json()) as { merchantId?: string | null }) : (await response.body?.cancel(), {});
        return { status: response.status, merchantId: body.merchantId ?? null };
      });
    } catch (error) {
      throw new AppError('unavailable', 'the product catalogue is unavailable; try again shortly', undefined, { cause: error });
    }
    if (answer.status === 200) {
      if (known.size >= KNOWN_PRODUCTS_LIMIT) known.clear();
      const product = { merchantId: answer.merchantId };
      known.set(productId, product);
      return product;
    }
    if (answer.status === 404) return null;
    throw new AppError('unavailable', `the product catalogue answered ${answer.status}`);
  }
  return {
    async find(productId) {
      const cached = known.get(productId);
      if (cached) return cached;
      let lookup = inFlight.get(productId);
      if (!lookup) {
        lookup = lookUp(productId).finally(() => inFlight.delete(productId));
        inFlight.set(productId, lookup);
      }
      return lookup;
    },
  };
}
