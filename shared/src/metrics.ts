/**
 * Prometheus metrics for a service: Node's defaults, every message outcome (applied,
 * duplicate, retried, dead-lettered) by event type, and HTTP request durations. Scraped from
 * GET /metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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
