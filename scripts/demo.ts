/**
 * `pnpm demo`: places three orders through the gateway — one that completes, one whose card
 * is declined, one for an item out of stock — and prints their final states, their timelines
 * and the ledger's trial balance. Uses a running platform (GATEWAY_URL) or starts one for the
 * length of the demo.
 */
import { randomUUID } from 'node:crypto';
import { startLocalPlatform, type Platform } from './platform.ts';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${GATEWAY}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function finalState(orderId: string): Promise<{ status: string; cancellationReason: string | null }> {
  for (let i = 0; i < 150; i++) {
    const order = await call<{ status: string; cancellationReason: string | null }>('GET', `/orders/${orderId}`);
    if (order.status === 'COMPLETED' || order.status === 'CANCELLED') return order;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`order ${orderId} did not finish within 30 s`);
}

async function demo(): Promise<void> {
  const tag = randomUUID().slice(0, 6);
  const tee = await call<{ id: string }>('POST', '/products', { sku: `TEE-${tag}`, name: 'Platform tee', priceMinor: 2500, currency: 'EUR', stock: 10 });
  const gone = await call<{ id: string }>('POST', '/products', { sku: `SOLD-OUT-${tag}`, name: 'Sold-out poster', priceMinor: 900, currency: 'EUR', stock: 0 });
  const orders = [
    { label: 'paid with tok_visa', productId: tee.id, cardToken: 'tok_visa' },
    { label: 'card declined', productId: tee.id, cardToken: 'tok_chargeDeclined' },
    { label: 'out of stock', productId: gone.id, cardToken: 'tok_visa' },
  ];
  for (const order of orders) {
    const placed = await call<{ orderId: string }>('POST', '/orders', { productId: order.productId, quantity: 2, paymentMethod: 'CARD', cardToken: order.cardToken, customerEmail: 'demo@example.com' }, { 'idempotency-key': randomUUID() });
    const final = await finalState(placed.orderId);
    const timeline = await call<{ events: Array<{ time: string; service: string; type: string; causedBy: string | null }> }>('GET', `/orders/${placed.orderId}/timeline`);
    console.log(`\n■ ${order.label}: order ${placed.orderId} → ${final.status}${final.cancellationReason ? ` (${final.cancellationReason})` : ''}`);
    for (const event of timeline.events) console.log(`   ${event.time.slice(11, 23)}  ${event.service.padEnd(12)} ${event.type.padEnd(32)} ${event.causedBy ? `← ${event.causedBy}` : ''}`);
  }
  const product = await call<{ available: number; reserved: number; sold: number }>('GET', `/products/${tee.id}`);
  console.log(`\nstock of the tee: available ${product.available}, reserved ${product.reserved}, sold ${product.sold}`);
  console.log('trial balance:', JSON.stringify(await call('GET', '/ledger/trial-balance')));
}

const running = await fetch(`${GATEWAY}/ready`).then((response) => response.ok, () => false);
let platform: Platform | null = null;
if (!running) {
  console.log('starting the platform (logs hidden; `pnpm start` shows them) …');
  platform = await startLocalPlatform(true);
}
try {
  await demo();
} finally {
  await platform?.stopAll();
}
