import { randomUUID } from 'node:crypto';
const G = process.env.G ?? "http://127.0.0.1:8080";
const post = (p: string, b: unknown, h: Record<string, string> = {}) => fetch(G + p, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify(b) });
const product = await (await fetch((process.env.P ?? G) + '/products', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: randomUUID(), name: 'x', priceMinor: 100, currency: 'EUR', stock: 50 }) })).json() as { id: string };
const unused = await (await post('/products', { sku: randomUUID(), name: 'x', priceMinor: 100, currency: 'EUR', stock: 50 })).json() as { id: string };
const t0 = performance.now();
const lat: number[] = [];
const ids = await Promise.all(Array.from({ length: 200 }, async () => {
  const s = performance.now();
  const r = await post('/orders', { productId: product.id, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': randomUUID() });
  lat.push(performance.now() - s);
  return ((await r.json()) as { orderId: string; status?: number }).orderId ?? `ERR ${r.status}`;
}));
const t1 = performance.now();
lat.sort((a, b) => a - b);
console.log(`200 POSTs accepted in ${(t1 - t0).toFixed(0)} ms; p50 ${lat[100]!.toFixed(0)} max ${lat[199]!.toFixed(0)}; errors ${ids.filter((i) => i.startsWith('ERR')).length}`);
for (const id of ids) {
  for (;;) {
    const o = await (await fetch(`${G}/orders/${id}`)).json() as { status: string };
    if (o.status === 'COMPLETED' || o.status === 'CANCELLED') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}
console.log(`all final after ${(performance.now() - t0).toFixed(0)} ms`);
