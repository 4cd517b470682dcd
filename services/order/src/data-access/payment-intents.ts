/**
 * Files the customer's payment method with the payment service before the order is
 * announced, so the card token never travels in an event (inventory and the broker never see
 * it). Signed as the order service; bounded by a timeout, a retry and a circuit breaker.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { AppError } from '@platform/shared/errors';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { PaymentIntents } from '../domain/ports.ts';

export function paymentIntents(paymentUrl: string, signedFetch: InternalFetch): PaymentIntents {
  const policy = wrap(
    retry(handleAll, { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 500 }) }),
    circuitBreaker(handleAll, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(10) }),
    timeout(5_000, TimeoutStrategy.Aggressive),
  );
  return {
    async create(intent) {
      let answer: 'filed' | 'refused';
      try {
        answer = await policy.execute(async ({ signal }) => {
          const response = await signedFetch(`${paymentUrl}/payment-intents`, { method: 'POST', body: JSON.stringify(intent), signal });
          await response.body?.cancel();
          if (response.status === 422) return 'refused';
          if (response.status !== 201 && response.status !== 200) throw new Error(`payment answered ${response.status}`);
          return 'filed';
        });
      } catch (error) {
        throw new AppError('unavailable', 'payments are unavailable; try again shortly', undefined, { cause: error });
      }
      if (answer === 'refused') throw new AppError('unprocessable', 'this card cannot be used for this order');
    },
  };
}
