/**
 * `pnpm demo`: an admin creates a merchant; the merchant adds products with its client
 * credentials; a customer registers, logs in and places three orders — one that completes,
 * one whose card is declined, one for an item out of stock — and reads them; a second
 * customer cannot. Prints final states, timelines and the ledger's trial balance. Uses a
 * running platform (GATEWAY_URL) or starts one for the length of the demo.
 */
import { randomUUID } from 'node:crypto';
import type { Platform } from './platform.ts';
import { startLocalPlatform } from './local-platform.ts';
import { devSecrets } from './dev-secrets.ts';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
let token = '';

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${GATEWAY}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const { status, text } = await send(method, path, body, headers);
  if (status >= 400) throw new Error(`${method} ${path} → ${status}: ${text}`);
  return JSON.parse(text) as T;
}

async function logIn(form: Record<string, string>): Promise<string> {
  const response = await fetch(`${GATEWAY}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

async function newCustomer(): Promise<string> {
  const email = `demo-${randomUUID().slice(0, 6)}@example.com`;
  const password = `pw-${randomUUID()}`;
  token = '';
  await call('POST', '/auth/users', { email, password });
  return logIn({ grant_type: 'password', client_id: 'platform-web', username: email, password });
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
  const secrets = devSecrets();
  token = await logIn({ grant_type: 'password', client_id: 'platform-web', username: secrets.adminEmail, password: secrets.adminPassword });
  const merchant = await call<{ id: string; clientId: string; clientSecret: string }>('POST', '/merchants', { name: 'Demo shop' });
  console.log(`admin created merchant ${merchant.id} (client ${merchant.clientId}; its secret is shown once)`);
  token = await logIn({ grant_type: 'client_credentials', client_id: merchant.clientId, client_secret: merchant.clientSecret });
  const merchantToken = token;
  const tag = randomUUID().slice(0, 6);
  const tee = await call<{ id: string }>('POST', '/products', { sku: `TEE-${tag}`, name: 'Platform tee', priceMinor: 2500, currency: 'EUR', stock: 10 });
  const gone = await call<{ id: string }>('POST', '/products', { sku: `SOLD-OUT-${tag}`, name: 'Sold-out poster', priceMinor: 900, currency: 'EUR', stock: 0 });
  const orders = [
    { label: 'paid with tok_visa', productId: tee.id, cardToken: 'tok_visa' },
    { label: 'card declined', productId: tee.id, cardToken: 'tok_chargeDeclined' },
    { label: 'out of stock', productId: gone.id, cardToken: 'tok_visa' },
  ];
  console.log('the merchant added two products; a customer registers and logs in');
  const customer = await newCustomer();
  token = customer;
  const orderIds: string[] = [];
  for (const order of orders) {
    const placed = await call<{ orderId: string }>('POST', '/orders', { productId: order.productId, quantity: 2, paymentMethod: 'CARD', cardToken: order.cardToken, customerEmail: 'demo@example.com' }, { 'idempotency-key': randomUUID() });
    orderIds.push(placed.orderId);
    const final = await finalState(placed.orderId);
    const timeline = await call<{ events: Array<{ time: string; service: string; type: string; causedBy: string | null }> }>('GET', `/orders/${placed.orderId}/timeline`);
    console.log(`\n■ ${order.label}: order ${placed.orderId} → ${final.status}${final.cancellationReason ? ` (${final.cancellationReason})` : ''}`);
    for (const event of timeline.events) console.log(`   ${event.time.slice(11, 23)}  ${event.service.padEnd(12)} ${event.type.padEnd(32)} ${event.causedBy ? `← ${event.causedBy}` : ''}`);
  }
  const product = await call<{ available: number; reserved: number; sold: number }>('GET', `/products/${tee.id}`);
  console.log(`\nstock of the tee: available ${product.available}, reserved ${product.reserved}, sold ${product.sold}`);
  const mine = await call<{ orders: unknown[] }>('GET', '/orders');
  token = merchantToken;
  const refund = await call<{ amountMinor: number; status: string }>('POST', `/payments/${orderIds[0]}/refunds`, { amountMinor: 1000, reason: 'one tee came back damaged' }, { 'idempotency-key': randomUUID() });
  const paid = await call<{ status: string; method: { summary: string }; refundedMinor: number; history: Array<{ status: string }> }>('GET', `/payments/${orderIds[0]}`);
  console.log(`the merchant refunds ${refund.amountMinor} of the paid order (${refund.status}): payment ${paid.method.summary}, ${paid.history.map((change) => change.status).join(' → ')}`);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the ledger journals the refund from its event
  const [payable] = await call<Array<{ type: string; posted: number; currency: string }>>('GET', '/ledger/accounts');
  console.log(`the merchant's payable in the ledger: ${payable?.posted ?? 0} ${payable?.currency ?? ''} (the paid order less the platform fee, less the refund and its share of the fee)`);
  token = customer;
  console.log(`the customer lists their ${mine.orders.length} orders`);
  token = await newCustomer();
  const peek = await send('GET', `/orders/${orderIds[0]}`);
  console.log(`a second customer asks for the first customer's order: ${peek.status} (as if it did not exist)`);
  token = await logIn({ grant_type: 'password', client_id: 'platform-web', username: secrets.adminEmail, password: secrets.adminPassword });
  console.log('trial balance (admin):', JSON.stringify(await call('GET', '/ledger/trial-balance')));
  // Anything touched in the last RECONCILE_SETTLE_MS (10 min) is judged on a later run: the demo's orders are still "in flight".
  const report = await call<{ day: string; inFlight: number; mismatches: unknown[]; compared: Record<string, number> }>('POST', '/admin/reconciliation/runs', {});
  console.log(`reconciliation of ${report.day} (admin): ${report.mismatches.length} mismatches among ${JSON.stringify(report.compared)}, ${report.inFlight} too recent to judge yet (pnpm reconcile)`);
  // The SMTP sink beside the gateway keeps what the platform mailed (sent after each commit).
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const sink = `http://127.0.0.1:${Number(new URL(GATEWAY).port) + 8}/messages`;
  const mails = ((await (await fetch(sink)).json()) as Array<{ to: string[]; subject: string }>).filter((mail) => mail.to.includes('demo@example.com'));
  console.log(`the customer's mailbox (SMTP sink): ${mails.length} e-mails`);
  for (const mail of mails.slice(-4)) console.log(`   ✉ ${mail.subject}`);
  await consoleGlance(secrets.adminEmail, secrets.adminPassword);
}

/** The operations console, signed in as the admin: what its overview shows now. */
async function consoleGlance(email: string, password: string) {
  const signIn = await fetch(`${GATEWAY}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password }).toString() });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const overview = (await (await fetch(`${GATEWAY}/console/api/overview`, { headers: { cookie } })).json()) as { services: Array<{ service: string; up: boolean; outboxUnpublished: number | null; queues: Record<string, number> }>; orders: Array<{ minutes: number; byStatus: Record<string, number> }> | null };
  const dead = overview.services.reduce((sum, service) => sum + (service.queues[`${service.service}.dlq`] ?? 0), 0);
  console.log(`\nthe operations console (${GATEWAY}/console, the admin's e-mail and password from .secrets/dev.json), its overview now:`);
  console.log(`   services up: ${overview.services.filter((service) => service.up).map((service) => service.service).join(', ')}; dead letters: ${dead}`);
  console.log(`   orders of the last ${overview.orders?.[0]?.minutes ?? '?'} minutes by state: ${JSON.stringify(overview.orders?.[0]?.byStatus ?? {})}`);
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
