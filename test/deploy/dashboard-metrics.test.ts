/**
 * The dashboard and the alert rules name metrics by string: a renamed or removed metric would
 * leave an empty panel and an alert that can never fire. Every name they use must be one the
 * platform's processes export, and Prometheus must scrape every process that exports them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics, registerBatchSizes, registerOutboxLag, registerQueueDepths } from '../../shared/src/metrics.ts';
import { relayMetrics } from '../../shared/src/outbox/relay-metrics.ts';
import { CONTAINERS, HTTP_PORT, METRICS_PORT } from '../../scripts/compose.ts';
import { dependencyBreakers, orderOutcomes } from '../../services/order/src/entry-points/order-metrics.ts';
import { paymentMetrics } from '../../services/payment/src/entry-points/payment-metrics.ts';

/** Every series name a scrape can show: histograms as their _bucket, _sum and _count. */
function exportedNames(...registries: Registry[]): Set<string> {
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      names.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

/** Metric names in a PromQL expression: label matchers and by/without clauses removed, functions skipped. */
function metricNamesIn(expression: string): string[] {
  const bare = expression.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)].map((match) => match[1]!).filter((word) => word.includes('_'));
}

const service = createMetrics('any');
registerQueueDepths(service, async () => ({}));
registerOutboxLag(service.registry, async () => []);
registerBatchSizes(service);
orderOutcomes(service.registry);
dependencyBreakers(service.registry);
paymentMetrics(service.registry);
const relay = relayMetrics();
relay.watch([]);
const exported = exportedNames(service.registry, relay.registry);

describe('dashboards and alerts name real metrics', () => {
  it('when the Grafana dashboard and the Prometheus alert rules are read, then every metric they name is exported', () => {
    const dashboard = JSON.parse(readFileSync('ops/grafana/dashboards/platform.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const rules = parse(readFileSync('ops/prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const expressions = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
      ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
    ];
    assert.ok(expressions.length >= 10);
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      assert.ok(names.length > 0, `${where} names a metric`);
      for (const name of names) assert.ok(exported.has(name), `${where}: ${name} is exported`);
    }
    assert.ok(!exported.has('orders_total'), 'the check can say no');
  });

  it('when Prometheus is configured, then it scrapes every process that serves metrics, each on the port it serves them', () => {
    const config = parse(readFileSync('ops/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    const targets = new Set(config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets)));
    // The gateway simulator stands in for an outside company: not the platform's to watch.
    for (const name of CONTAINERS.filter((container) => container !== 'psp')) {
      const port = name === 'gateway' || name === 'relay' ? METRICS_PORT : HTTP_PORT;
      assert.ok(targets.has(`${name}:${port}`), `${name}:${port} is scraped`);
    }
  });
});
