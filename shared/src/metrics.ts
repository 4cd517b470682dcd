/**
 * Prometheus metrics for a service: Node's defaults, every message outcome (applied,
 * duplicate, retried, dead-lettered) by event type, and HTTP request durations. Scraped from
 * GET /metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxLag } from './outbox/outbox-lag.ts';

export interface ServiceMetrics {
  registry: Registry;
  messages: Counter<'event_type' | 'outcome'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * `queue_messages{queue}`: what waits in the service's own queues, asked of the broker at each
 * scrape. Alert on a DLQ or `events.unrouted` above zero, and on a service queue that keeps
 * growing. The labels are this service's queue names: a closed set.
 */
export function registerQueueDepths(metrics: ServiceMetrics, depths: () => Promise<Record<string, number>>): void {
  new Gauge({
    name: 'queue_messages',
    help: 'Messages waiting in this service queue, its retry queues, its DLQ and events.unrouted',
    labelNames: ['queue'],
    registers: [metrics.registry],
    async collect() {
      const answer = await depths().catch(() => null);
      this.reset();
      for (const [queue, messages] of Object.entries(answer ?? {})) this.set({ queue }, messages);
    },
  });
}

/**
 * `outbox_unpublished_events` and `outbox_oldest_unpublished_seconds`, asked of the database at
 * each scrape (labelled by database when one process watches several: the relay). Alert on the
 * age: an outbox that stops draining means events are not leaving.
 */
export function registerOutboxLag(registry: Registry, lagOf: () => Promise<ReadonlyArray<{ database?: string; lag: OutboxLag }>>): void {
  // Each gauge asks on its own: one indexed query apiece per scrape is cheaper than keeping them in step.
  const gauge = (name: string, help: string, value: (lag: OutboxLag) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['database'],
      registers: [registry],
      async collect() {
        const answers = await lagOf().catch(() => null);
        this.reset();
        for (const { database, lag } of answers ?? []) this.set(database ? { database } : {}, value(lag));
      },
    });
  gauge('outbox_unpublished_events', 'Outbox rows written but not yet published by the relay', (lag) => lag.unpublished);
  gauge('outbox_oldest_unpublished_seconds', 'Age of the oldest outbox row not yet published', (lag) => lag.oldestSeconds);
}

/** How many messages each consumer transaction applied: how much batching the load gives. */
export function registerBatchSizes(metrics: ServiceMetrics): (size: number, committed: boolean) => void {
  const sizes = new Histogram({
    name: 'consumer_batch_messages',
    help: 'Messages per consumer batch of two or more, by whether it committed or was split up',
    labelNames: ['committed'],
    buckets: [2, 5, 10, 20, 35, 50],
    registers: [metrics.registry],
  });
  return (size, committed) => sizes.observe({ committed: String(committed) }, size);
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    messages: new Counter({
      name: 'messages_handled_total',
      help: 'Messages handled by this service, by event type and outcome',
      labelNames: ['event_type', 'outcome'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request durations',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
