/**
 * A wallet payment's "gateway" is the ledger: a charge places a hold on the customer's wallet
 * (refused when the wallet cannot cover it), a lookup reads the hold, a refund voids it (not yet
 * captured) or moves money back (captured). Every call is signed as the payment service and
 * idempotent by its id, with a timeout and a retry for transient failures.
 */
import { ExponentialBackoff, handleWhen, retry, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import { GatewayUnavailable, type GatewayAnswer, type PaymentGateway } from '../domain/ports.ts';

class TransientCall extends Error {}

const holdIdOf = (paymentKey: string) => `hold:${paymentKey}`;

export function ledgerWallet(ledgerUrl: string, signedFetch: InternalFetch, timeoutMs: number): PaymentGateway {
  const policy = wrap(
    retry(handleWhen((error) => error instanceof TransientCall || error instanceof TaskCancelledError), { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) }),
    timeout(timeoutMs, TimeoutStrategy.Aggressive),
  );
  async function call(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> | null }> {
    try {
      return await policy.execute(async ({ signal }) => {
        const response = await signedFetch(`${ledgerUrl}${path}`, { method: init.method ?? 'GET', ...(init.body ? { body: JSON.stringify(init.body) } : {}), signal }).catch((error: unknown) => {
          if (signal.aborted) throw error;
          throw new TransientCall(`ledger unreachable: ${String(error)}`);
        });
        const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
        if (response.status >= 500 || response.status === 429) throw new TransientCall(`ledger answered ${response.status}`);
        return { status: response.status, body };
      });
    } catch (error) {
      if (error instanceof TransientCall || error instanceof TaskCancelledError) throw new GatewayUnavailable(`ledger: ${error.message}`, { cause: error });
      throw error;
    }
  }
  const unexpected = (status: number, body: unknown): never => {
    throw new Error(`ledger answered ${status}: ${JSON.stringify(body)}`);
  };

  return {
    async charge({ idempotencyKey, amountMinor, currency, method }) {
      if (method.type !== 'wallet') throw new Error('the ledger takes wallet payments only');
      const id = holdIdOf(idempotencyKey);
      const { status, body } = await call('/ledger/holds', { method: 'POST', body: { id, customerId: method.customerId, merchantId: method.merchantId, amountMinor: Number(amountMinor), currency, timeoutAt: method.holdUntil.toISOString() } });
      if (status === 201 || status === 200) return { status: 'succeeded', chargeId: id } satisfies GatewayAnswer;
      if (status === 422) return { status: 'failed', chargeId: null, reason: 'insufficient_funds' } satisfies GatewayAnswer;
      return unexpected(status, body);
    },
    async findCharge(idempotencyKey) {
      const id = holdIdOf(idempotencyKey);
      const { status, body } = await call(`/ledger/holds/${encodeURIComponent(id)}`);
      if (status === 404) return null;
      if (status === 200) return { status: 'succeeded', chargeId: id };
      return unexpected(status, body);
    },
    async refund({ idempotencyKey, chargeId, amountMinor }) {
      const refundId = idempotencyKey.replace(/^refund:/, '');
      const { status, body } = await call(`/ledger/holds/${encodeURIComponent(chargeId)}/refunds`, { method: 'POST', body: { refundId, amountMinor: Number(amountMinor) } });
      if (status === 201) return { refundId: `refund:${refundId}` };
      if (status === 404 || status === 409 || status === 422) return { refused: typeof body?.detail === 'string' ? body.detail : String(status) };
      return unexpected(status, body);
    },
  };
}
