/**
 * Files a saved card's intent with the payment service before the order is announced: payment
 * checks the card is the customer's own (its vault alone knows) and refuses it with a 422 if
 * not. Every other choice travels sealed in order.placed instead (payment-choice.ts). Signed as
 * the order service; bounded by a timeout, a retry and a circuit breaker.
 */
import { AppError } from '@platform/shared/errors';
import { callPolicy, type BreakerState } from './call-policy.ts';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import type { PaymentIntents } from '../domain/ports.ts';

export function paymentIntents(paymentUrl: string, signedFetch: InternalFetch, onBreakerState?: (state: BreakerState) => void): PaymentIntents {
  const policy = callPolicy(onBreakerState);
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
