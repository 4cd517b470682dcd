/**
 * The console overview's figures, read from every service's own /metrics (a signed call, as any
 * service makes): outbox lag, queue depths (its queue, retry queues, DLQ), circuit breakers and
 * whether it answered; and the order service's figures of the last minutes and the last hour.
 * Read when asked, never stored: a service that does not answer in two seconds is shown as down,
 * and the others still are.
 */
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import { SERVICE_NAMES, type ServiceName, type Upstreams } from '../upstreams.ts';

export interface ServiceOverview {
  service: ServiceName;
  up: boolean;
  outboxOldestSeconds: number | null;
  outboxUnpublished: number | null;
  queues: Record<string, number>;
  /** Circuit breakers the service reports, by dependency: open or closed. */
  breakers: Record<string, 'open' | 'half-open' | 'closed'>;
}

export interface OrderWindow {
  minutes: number;
  byStatus: Record<string, number>;
  byCancellationReason: Record<string, number>;
  completedPerSecond: number;
  p99Ms: number | null;
}

/** `name{labels} value` lines of the Prometheus text format, for the names asked. */
export function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const found: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const match = /^[a-z_]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]));
    found.push({ labels, value: Number(match[2]) });
  }
  return found;
}

async function serviceOverview(service: ServiceName, url: string, signedFetch: InternalFetch): Promise<ServiceOverview> {
  try {
    const response = await signedFetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`answered ${response.status}`);
    }
    const text = await response.text();
    const oldest = samples(text, 'outbox_oldest_unpublished_seconds');
    const unpublished = samples(text, 'outbox_unpublished_events');
    return {
      service,
      up: true,
      outboxOldestSeconds: oldest.length > 0 ? Math.max(...oldest.map((sample) => sample.value)) : null,
      outboxUnpublished: unpublished.length > 0 ? unpublished.reduce((sum, sample) => sum + sample.value, 0) : null,
      queues: Object.fromEntries(samples(text, 'queue_messages').map((sample) => [sample.labels.queue ?? '?', sample.value])),
      breakers: Object.fromEntries(samples(text, `${service}_dependency_circuit_open`).map((sample) => [sample.labels.dependency ?? '?', sample.value === 1 ? 'open' : sample.value > 0 ? 'half-open' : 'closed'])),
    };
  } catch {
    return { service, up: false, outboxOldestSeconds: null, outboxUnpublished: null, queues: {}, breakers: {} };
  }
}

/** Orders per state and reason, throughput and p99 over the last 5 and 60 minutes (null: no answer). */
async function orderWindows(url: string, signedFetch: InternalFetch): Promise<OrderWindow[] | null> {
  try {
    const response = await signedFetch(`${url}/order-stats`, { signal: AbortSignal.timeout(2_000) });
    if (response.ok) return ((await response.json()) as { windows: OrderWindow[] }).windows;
    await response.body?.cancel();
    return null;
  } catch {
    return null;
  }
}

export async function readOverview(upstreams: Upstreams, signedFetch: InternalFetch): Promise<{ at: string; services: ServiceOverview[]; orders: OrderWindow[] | null }> {
  const [services, orders] = await Promise.all([Promise.all(SERVICE_NAMES.map((service) => serviceOverview(service, upstreams[service], signedFetch))), orderWindows(upstreams.order, signedFetch)]);
  return { at: new Date().toISOString(), services, orders };
}
