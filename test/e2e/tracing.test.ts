import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { platformForSuite } from './support/test-platform.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

const COLLECTOR_PORT = 18198;
const TRACED = ['gateway', 'relay', 'auth', 'order', 'inventory', 'payment', 'ledger', 'notification'] as const;
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}

/** OTLP/HTTP JSON export requests, flattened to spans with their service's name. */
function spansIn(receiver: Receiver): CollectedSpan[] {
  return receiver.received.flatMap((request) => {
    const body = JSON.parse(request.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<Omit<CollectedSpan, 'service'>> }> }> };
    return body.resourceSpans.flatMap((resource) => {
      const service = resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '?';
      return resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ ...span, service })));
    });
  });
}

describe('traces across the broker', () => {
  const collector: { receiver?: Receiver } = {};
  const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${COLLECTOR_PORT}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' };
  const suite = platformForSuite(Object.fromEntries(TRACED.map((process) => [process, env])));
  after(async () => collector.receiver?.close());

  it('when an order is placed with a traceparent, then its spans in every service share that trace id, the broker hops as producer and consumer spans', async () => {
    collector.receiver = await startReceiver(COLLECTOR_PORT, () => ({ status: 200 }));
    const { api } = suite;
    const productId = await api.createProduct({ stock: 5 });
    const traceId = randomBytes(16).toString('hex');
    const answer = await api.request<{ orderId: string }>('POST', '/orders', { productId, quantity: 1, paymentMethod: 'CARD', cardToken: 'tok_visa' }, { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    assert.equal(answer.status, 202);
    assert.equal((await api.finalOrder(answer.body.orderId)).status, 'COMPLETED');

    const wanted = ['gateway', 'order', 'inventory', 'payment', 'ledger', 'notification', 'relay'];
    const spans = await waitFor(
      'spans of every service',
      async () => {
        const found = spansIn(collector.receiver!).filter((span) => span.traceId === traceId);
        return wanted.every((service) => found.some((span) => span.service === service)) ? found : undefined;
      },
      30_000,
      250,
    );
    const producers = spans.filter((span) => span.kind === KIND.producer);
    const consumers = spans.filter((span) => span.kind === KIND.consumer);
    assert.ok(producers.every((span) => span.service === 'relay'), 'the relay publishes');
    assert.ok(consumers.length >= 4, `consumers of order.placed, inventory.reserved, payment.succeeded… (${consumers.map((span) => `${span.service}:${span.name}`).join(', ')})`);
    for (const consumer of consumers) assert.ok(producers.some((producer) => producer.spanId === consumer.parentSpanId), `${consumer.service} ${consumer.name} is a child of the relay's publish span`);
    // The request: the gateway's server span, its signed call to the order service, the order service's server span.
    const gatewayServer = spans.find((span) => span.service === 'gateway' && span.kind === KIND.server && span.name === 'POST /orders');
    assert.ok(gatewayServer, 'the gateway span continues the caller trace');
    const call = spans.find((span) => span.service === 'gateway' && span.kind === KIND.client && span.parentSpanId === gatewayServer.spanId);
    assert.ok(call && spans.some((span) => span.service === 'order' && span.kind === KIND.server && span.parentSpanId === call.spanId), 'the order service continues the gateway call');
    const orderServer = spans.find((span) => span.service === 'order' && span.kind === KIND.server && span.name === 'POST /orders')!;
    // Placing writes the order, its key and its event in one statement outside a transaction.
    assert.ok(spans.some((span) => span.service === 'order' && span.name === 'pg statement' && span.parentSpanId === orderServer.spanId), "the order's write is a span of its request");
    for (const service of ['inventory', 'payment', 'ledger', 'notification']) assert.ok(consumers.some((span) => span.service === service), `${service} consumed an event of the order`);
  });
});
