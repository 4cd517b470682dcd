/** What the chaos run's clients do and see: careful clients (503 → wait Retry-After, same key). */
import type { GatewayClient } from '../e2e/support/api.ts';

export interface ClientLog {
  /** Answers by status; a 503 is counted as `503+retry-after` when it said when to come back. */
  statuses: Record<string, number>;
  accepted: string[];
  replayMismatches: number;
  errors: string[];
}

const MAX_TRIES = 30;

async function place(api: GatewayClient, log: ClientLog, order: { productId: string; quantity: number; cardToken: string; key: string }): Promise<string | null> {
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const answer = await api
      .request<{ orderId?: string }>('POST', '/orders', { productId: order.productId, quantity: order.quantity, paymentMethod: 'CARD', cardToken: order.cardToken }, { 'idempotency-key': order.key }, 'customer')
      .catch((error: unknown) => ({ status: 0, headers: new Headers(), body: { error: String(error) } as { orderId?: string } }));
    const label = answer.status === 503 && answer.headers.get('retry-after') ? '503+retry-after' : String(answer.status);
    log.statuses[label] = (log.statuses[label] ?? 0) + 1;
    if (answer.status === 202 && answer.body.orderId) return answer.body.orderId;
    // The gateway itself down (connection refused), a 503, or 409 while the first is in flight: come back later.
    if (answer.status === 0 || answer.status === 503 || answer.status === 409 || answer.status === 502) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 * Math.max(1, Number(answer.headers.get('retry-after') ?? 1))));
      continue;
    }
    log.errors.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    return null;
  }
  return null;
}

/** One order, and sometimes its re-send with the same key (which must answer the same order). */
export async function accept(api: GatewayClient, log: ClientLog, order: { productId: string; quantity: number; cardToken: string; key: string; resend: boolean }): Promise<void> {
  const orderId = await place(api, log, order);
  if (!orderId) return;
  log.accepted.push(orderId);
  if (!order.resend) return;
  const again = await place(api, log, order);
  if (again !== orderId) log.replayMismatches += 1;
}
