/**
 * The payment gateway over HTTP, behind cockatiel on every call: a bulkhead (a slow gateway
 * cannot take every connection), retries with exponential backoff and jitter for transient
 * failures only (5xx, network, timeout — safe, because every call carries its idempotency key),
 * a circuit breaker (opens at 50 % failures over the last 10 calls, probes after a pause), and
 * a timeout per call. Whatever cannot be asked now is a GatewayUnavailable: the payment waits.
 */
import { httpRequest, type HttpResponse } from '@platform/shared/http/http-client';
import { BrokenCircuitError, bulkhead, BulkheadRejectedError, circuitBreaker, CircuitState, CountBreaker, ExponentialBackoff, handleWhen, IsolatedCircuitError, retry, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { GatewayUnavailable, type GatewayAnswer, type GatewayMethod, type PaymentGateway } from '../domain/ports.ts';

export interface PspClientOptions {
  url: string;
  apiKey: string;
  timeoutMs: number;
  breakerHalfOpenMs: number;
  concurrency: number;
  onCircuitState?: (state: 'closed' | 'open' | 'half-open') => void;
}

/** A 5xx, a network error or a timeout: asking again may work. */
class TransientCall extends Error {
  override readonly name = 'TransientCall';
}

interface ChargeObject {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  failure_code: string | null;
}

const answerOf = (charge: ChargeObject): GatewayAnswer =>
  charge.status === 'succeeded' ? { status: 'succeeded', chargeId: charge.id } : charge.status === 'pending' ? { status: 'pending', chargeId: charge.id } : { status: 'failed', chargeId: charge.id, reason: charge.failure_code ?? 'card_declined' };

function processorMethod(method: GatewayMethod) {
  if (method.type === 'card') return { type: 'card', card: { number: method.number, exp_month: method.expMonth, exp_year: method.expYear } };
  if (method.type === 'upi_collect') return { type: 'upi_collect', upi: { vpa: method.vpa }, expires_in: method.expiresInSeconds };
  throw new Error('the card processor does not take wallet payments');
}

/** The gateway's settlement report of a UTC day, as its API sends it. */
export interface SettlementReport {
  charges: Array<{ id: string; amount: number; currency: string; idempotency_key: string; created: string }>;
  refunds: Array<{ id: string; charge: string; amount: number; currency: string; idempotency_key: string; created: string }>;
}

export function pspClient(options: PspClientOptions): PaymentGateway & { circuitState(): string; settlement(day: string): Promise<SettlementReport> } {
  const isTransient = (error: unknown) => error instanceof TransientCall || error instanceof TaskCancelledError;
  const breaker = circuitBreaker(handleWhen(isTransient), { halfOpenAfter: options.breakerHalfOpenMs, breaker: new CountBreaker({ threshold: 0.5, size: 10 }) });
  const names = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'open' } as const;
  breaker.onStateChange((state) => options.onCircuitState?.(names[state]));
  const policy = wrap(
    bulkhead(options.concurrency, options.concurrency * 4),
    retry(handleWhen(isTransient), { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) }),
    breaker,
    timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
  );

  async function call<T>(method: string, path: string, read: (status: number, body: unknown) => T, init: { body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
    try {
      return await policy.execute(async ({ signal }) => {
        let response: HttpResponse;
        try {
          response = await httpRequest(new URL(`${options.url}${path}`), {
            method,
            headers: { authorization: `Bearer ${options.apiKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}) },
            body: init.body ? Buffer.from(JSON.stringify(init.body), 'utf8') : undefined,
            signal,
          });
        } catch (error) {
          if (signal.aborted) throw error;
          throw new TransientCall(`gateway unreachable: ${String(error)}`);
        }
        const body: unknown = await response.json().catch(() => null);
        if (response.status >= 500 || response.status === 429) throw new TransientCall(`gateway answered ${response.status}`);
        return read(response.status, body);
      });
    } catch (error) {
      const unavailable = [TransientCall, TaskCancelledError, BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError].find((type) => error instanceof type);
      if (unavailable) throw new GatewayUnavailable(`${unavailable.name}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  const unexpected = (status: number): never => {
    throw new Error(`gateway answered ${status}, which this client does not expect`);
  };

  return {
    circuitState: () => names[breaker.state],
    settlement: (day) => call('GET', `/v1/settlements?date=${day}`, (status, body) => (status === 200 ? (body as SettlementReport) : unexpected(status))),
    charge: ({ idempotencyKey, amountMinor, currency, method, reference }) =>
      call(
        'POST',
        '/v1/charges',
        (status, body) => {
          if (status === 200 || status === 201) return answerOf(body as ChargeObject);
          if (status === 402) return answerOf((body as { error: { charge: ChargeObject } }).error.charge);
          return unexpected(status);
        },
        {
          idempotencyKey,
          body: {
            amount: Number(amountMinor),
            currency,
            reference,
            payment_method: processorMethod(method),
          },
        },
      ),
    findCharge: (idempotencyKey) =>
      call('GET', `/v1/charges?idempotency_key=${encodeURIComponent(idempotencyKey)}`, (status, body) => {
        if (status !== 200) return unexpected(status);
        const [charge] = (body as { data: ChargeObject[] }).data;
        return charge ? answerOf(charge) : null;
      }),
    refund: ({ idempotencyKey, chargeId, amountMinor }) =>
      call(
        'POST',
        '/v1/refunds',
        (status, body) => {
          if (status === 201 || status === 200) return { refundId: (body as { id: string }).id };
          if (status === 400 || status === 404) return { refused: String((body as { detail?: string } | null)?.detail ?? status) };
          return unexpected(status);
        },
        { idempotencyKey, body: { charge: chargeId, amount: Number(amountMinor) } },
      ),
  };
}
