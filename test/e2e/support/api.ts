/**
 * A small client for the gateway, as a user's script would call it. Each call goes as the
 * caller the route is for (a merchant creates products, an admin holds stock directly and
 * reads totals, the customer does the rest) unless `as` names another.
 */
import { randomUUID } from 'node:crypto';
import type { Sessions } from './sessions.ts';

export type Caller = 'customer' | 'merchant' | 'admin' | 'anonymous';

function callerFor(method: string, path: string): Caller {
  if (method === 'POST' && path === '/products') return 'merchant';
  if (path.startsWith('/inventory/') || path.startsWith('/ledger/trial-balance') || path.startsWith('/ledger/accounts')) return 'admin';
  return 'customer';
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  type: string;
  body: T;
  headers: Headers;
}

export function gatewayClient(baseUrl: string, sessions?: Sessions) {
  async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as: Caller = callerFor(method, path)): Promise<Answer<T>> {
    const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    const token = as === 'anonymous' ? undefined : sessions?.[as];
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body: raw });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
  }

  return {
    request,
    async createProduct(fields: { stock: number; priceMinor?: number; holdSeconds?: number }) {
      const answer = await request<{ id: string }>('POST', '/products', { sku: `SKU-${randomUUID()}`, name: 'Test item', priceMinor: fields.priceMinor ?? 1500, currency: 'EUR', stock: fields.stock, ...(fields.holdSeconds ? { holdSeconds: fields.holdSeconds } : {}) });
      if (answer.status !== 201) throw new Error(`product not created: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.id;
    },
    /**
     * As a careful client: a 503 is retried after its Retry-After, with the same Idempotency-Key; so is
     * the 409 that says the first try of that key is still in flight (a 503'd try can still be running).
     */
    async placeOrder(productId: string, options: { quantity?: number; cardToken?: string; upiVpa?: string; key?: string; email?: string; onRetry?: (status: number, body: unknown) => void } = {}) {
      const method = options.upiVpa ? { paymentMethod: 'UPI', upiVpa: options.upiVpa } : { paymentMethod: 'CARD', cardToken: options.cardToken ?? 'tok_visa' };
      const body = { productId, quantity: options.quantity ?? 1, ...method, ...(options.email ? { customerEmail: options.email } : {}) };
      const headers = { 'idempotency-key': options.key ?? randomUUID() };
      let answer = await request<{ orderId: string; status: string }>('POST', '/orders', body, headers);
      for (let attempt = 1; (answer.status === 503 || (answer.status === 409 && answer.headers.has('retry-after'))) && attempt < 20; attempt++) {
        options.onRetry?.(answer.status, answer.body);
        await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(answer.headers.get('retry-after') ?? 1)));
        answer = await request<{ orderId: string; status: string }>('POST', '/orders', body, headers);
      }
      if (answer.status !== 202) throw new Error(`order not accepted: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.orderId;
    },
    async product(id: string) {
      return (await request<{ available: number; reserved: number; sold: number }>('GET', `/products/${id}`)).body;
    },
    async order(id: string) {
      return (await request<{ status: string; cancellationReason: string | null; amountMinor: number | null }>('GET', `/orders/${id}`)).body;
    },
    /** Polls until the order is COMPLETED or CANCELLED. */
    async finalOrder(id: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const order = (await request<{ status: string; cancellationReason: string | null }>('GET', `/orders/${id}`)).body;
        if (order.status === 'COMPLETED' || order.status === 'CANCELLED') return order;
        if (Date.now() > deadline) throw new Error(`order ${id} still ${order.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async payment(orderId: string) {
      return request<PaymentView>('GET', `/payments/${orderId}`);
    },
    async ledgerEntries(orderId: string) {
      return (await request<Array<{ id: string; kind: string; eventId: string | null; correlationId: string | null; postings: Array<{ account: string; debitMinor: number; creditMinor: number }> }>>('GET', `/ledger/entries?orderId=${orderId}`)).body;
    },
    sessions,
    async trialBalance() {
      return (await request<{ balanced: boolean; currencies: Array<{ currency: string; debitsMinor: number; creditsMinor: number; balanced: boolean }> }>('GET', '/ledger/trial-balance')).body;
    },
    async notifications(orderId: string) {
      return (await request<Array<{ template: string; recipient: string | null }>>('GET', `/notifications?orderId=${orderId}`)).body;
    },
    async timeline(orderId: string) {
      return (await request<{ events: Array<{ id: string; service: string; type: string; causedBy: string | null }> }>('GET', `/orders/${orderId}/timeline`)).body;
    },
  };
}

export type GatewayClient = ReturnType<typeof gatewayClient>;

export interface PaymentView {
  paymentId: string;
  chargeId: string | null;
  status: string;
  failureReason: string | null;
  amountMinor: number;
  refundedMinor: number;
  method: { type: string; summary: string | null };
  history: Array<{ status: string; detail: string | null }>;
  refunds: Array<{ id: string; amountMinor: number; status: string; reason: string }>;
  gatewayOperations: Array<{ kind: string; outcome: string; idempotencyKey: string; reference: string | null }>;
}

/** The three stock counters of a product, for exact comparisons. */
export function stockOf(product: { available: number; reserved: number; sold: number }) {
  return { available: product.available, reserved: product.reserved, sold: product.sold };
}
