/**
 * The relay's metrics: events published and rounds failed per database, and each database's
 * outbox lag (asked at every scrape). Labels are the configured databases: a closed set.
 */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { registerOutboxLag } from '../metrics.ts';
import type { OutboxLag } from './outbox-lag.ts';

export function relayMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'relay' });
  collectDefaultMetrics({ register: registry });
  const published = new Counter({ name: 'relay_events_published_total', help: 'Outbox events published and confirmed, per database', labelNames: ['database'], registers: [registry] });
  const failed = new Counter({ name: 'relay_rounds_failed_total', help: 'Relay rounds that failed and were retried, per database', labelNames: ['database'], registers: [registry] });
  return {
    registry,
    round(database: string, outcome: { published: number } | { failed: true }) {
      if ('failed' in outcome) failed.inc({ database });
      else if (outcome.published > 0) published.inc({ database }, outcome.published);
    },
    watch(databases: ReadonlyArray<{ database: string; lag: () => Promise<OutboxLag> }>) {
      registerOutboxLag(registry, () => Promise.all(databases.map(async ({ database, lag }) => ({ database, lag: await lag() }))));
    },
  };
}
