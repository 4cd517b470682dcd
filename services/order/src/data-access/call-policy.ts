/**
 * How the order service calls another service on a request's path: 5 s per try, two tries, and a
 * circuit breaker that answers at once while the other side is down (ten failures in a row open
 * it; it tries again after 5 s). Its state goes to `onState` (the breaker gauge).
 */
import { CircuitState, circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half-open';

const NAMES = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'open' } as const;

export function callPolicy(onState: (state: BreakerState) => void = () => undefined) {
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(10) });
  breaker.onStateChange((state) => onState(NAMES[state]));
  return wrap(retry(handleAll, { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 500 }) }), breaker, timeout(5_000, TimeoutStrategy.Aggressive));
}
