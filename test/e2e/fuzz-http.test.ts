import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { POLICY } from '../../services/gateway/src/policy.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { query } from './support/forge.ts';
import { platformForSuite } from './support/test-platform.ts';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const CONCURRENCY = 16;

/** Strings an attacker or a broken client sends. */
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '%00', '%2e%2e%2f', '{{7*7}}', '${jndi:ldap://x}', '\uD800', '💥'.repeat(50), 'a'.repeat(5_000), 'NaN', '-0', '1e309', 'null'),
);
const numbers = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 0.5, -0.0001), fc.double({ noNaN: true }));
/** Values for the fields the API knows, valid and not. */
const FIELDS = ['productId', 'quantity', 'paymentMethod', 'cardToken', 'upiVpa', 'customerEmail', 'amountMinor', 'reason', 'url', 'eventTypes', 'number', 'expMonth', 'expYear', 'cvc', 'name', 'sku', 'priceMinor', 'currency', 'stock', 'holdSeconds', 'email', 'password', 'bps', 'fixedMinor', 'date', 'overlapSeconds', 'alertEmail', 'orderId', 'merchantId'];

/** A body sent as it is, not as JSON (a client that sends garbage). */
class RawBody {
  constructor(readonly text: string) {}
}

/** Lone surrogates cannot be percent-encoded: such a path segment is sent as its code units' hex. */
const encodeSafely = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return Buffer.from(text, 'utf16le').toString('hex');
  }
};

function arbitraries(ids: string[]) {
  const anyValue = fc.oneof(hostile, numbers, fc.boolean(), fc.constant(null), fc.constantFrom(...ids), fc.constantFrom('CARD', 'UPI', 'WALLET', 'tok_visa', 'EUR', 'eur', 'a@b.co', 'https://example.com/hooks', 'http://169.254.169.254/', '4242424242424242', 'order.completed'), fc.array(fc.oneof(hostile, numbers), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }));
  const body = fc.oneof(
    { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 8 }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: hostile.map((text) => new RawBody(text)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const pathValue = fc.oneof(fc.constantFrom(...ids), fc.uuid().map(String), hostile.map(encodeSafely));
  const queryString = fc.dictionary(fc.constantFrom('limit', 'before', 'after', 'orderId', 'type', 'date', 'since', 'id'), fc.oneof(hostile, numbers.map(String), fc.constantFrom(...ids)), { maxKeys: 3 });
  return fc.record({
    route: fc.constantFrom(...POLICY),
    params: fc.array(pathValue, { minLength: 2, maxLength: 2 }),
    query: queryString,
    body,
    as: fc.constantFrom<'anonymous' | 'customer' | 'merchant' | 'admin'>('anonymous', 'customer', 'merchant', 'admin'),
    idempotencyKey: fc.option(fc.oneof(fc.uuid().map(String), hostile), { nil: undefined }),
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
  });
}

describe('HTTP fuzzing of every route through the gateway', () => {
  // The gateway's budgets raised: the point is to reach every handler, not the limiter.
  const suite = platformForSuite({ gateway: { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_CLIENT_PER_SECOND: '100000', RATE_LIMIT_ORDERS_PER_SECOND: '100000', RATE_LIMIT_TOKEN_PER_MINUTE: '100000' } });

  it(`when ${REQUESTS} generated requests (valid, boundary and hostile, as every role) hit every route, then none answers 5xx, and the money audit passes afterwards`, async (t) => {
    const productId = await suite.api.createProduct({ stock: 50, priceMinor: 700 });
    const orderId = await suite.api.placeOrder(productId);
    assert.equal((await suite.api.finalOrder(orderId)).status, 'COMPLETED');
    const paymentId = (await suite.api.payment(orderId)).body.paymentId;
    const ids = [productId, orderId, paymentId, String(suite.api.sessions!.merchantId), randomUUID()];

    const samples = fc.sample(arbitraries(ids), { numRuns: REQUESTS, seed: SEED });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const sample = samples[next++]!;
        let path = sample.route.path.replace(':id', sample.params[0]!).replace(':deliveryId', sample.params[1]!);
        const search = new URLSearchParams(Object.entries(sample.query).map(([key, value]) => [key, String(value)])).toString();
        if (search) path += `?${search}`;
        const raw = sample.body === undefined ? undefined : sample.body instanceof RawBody ? sample.body.text : JSON.stringify(sample.body);
        const headers: Record<string, string> = { 'content-type': sample.contentType, ...(sample.idempotencyKey !== undefined ? { 'idempotency-key': sample.idempotencyKey.replace(/[^\x20-\x7e]/g, '?') } : {}) };
        const token = sample.as === 'anonymous' ? undefined : suite.api.sessions![sample.as];
        const response = await fetch(`${suite.platform.url('gateway')}${path}`, { method: sample.route.method, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: sample.route.method === 'GET' ? undefined : raw }).catch((error: Error) => ({ status: 599, text: async () => error.message }));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) failures.push(`${sample.route.method} ${path.slice(0, 120)} as ${sample.as} → ${response.status} ${(await response.text()).slice(0, 200)} body=${raw?.slice(0, 120)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
    t.diagnostic(`statuses: ${summary}`);
    assert.deepEqual(failures.slice(0, 10), [], `statuses: ${summary}`);
    assert.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) + (statuses.get(202) ?? 0) > 0, `some requests got through: ${summary}`);

    // Whatever the fuzzing set moving settles, and every book still agrees.
    await waitFor('every order final', async () => ((await query<{ open: number }>('order', "SELECT count(*)::int AS open FROM orders WHERE status NOT IN ('COMPLETED', 'CANCELLED')"))[0]?.open === 0 ? true : undefined), 90_000, 500);
    const audit = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit-money.ts', '--prefix', 'e2e']).catch((error: { stdout: string }) => error);
    assert.match(audit.stdout, /money audit passed/, audit.stdout);
  });
});
