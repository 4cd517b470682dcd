/** What is happening now: orders, throughput and p99; per service its outbox lag, queues, breakers. */
import { getJson } from './api.ts';
import { useLoad } from './hooks.ts';
import { Columns } from './parts.tsx';

interface ServiceOverview {
  service: string;
  up: boolean;
  outboxOldestSeconds: number | null;
  outboxUnpublished: number | null;
  queues: Record<string, number>;
  breakers: Record<string, string>;
}
interface OrderWindow {
  minutes: number;
  byStatus: Record<string, number>;
  byCancellationReason: Record<string, number>;
  completedPerSecond: number;
  p99Ms: number | null;
}
interface OverviewData {
  at: string;
  services: ServiceOverview[];
  orders: OrderWindow[] | null;
}

const REFRESH_MS = 2_000;
const counts = (values: Record<string, number>) =>
  Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

function queueSummary(service: string, queues: Record<string, number>) {
  const dlq = queues[`${service}.dlq`] ?? 0;
  const retrying = Object.entries(queues).filter(([name]) => name.includes('.retry.')).reduce((sum, [, depth]) => sum + depth, 0);
  return { ready: queues[service] ?? 0, retrying, dlq };
}

export function Overview() {
  const { data, error } = useLoad(() => getJson<OverviewData>('/console/api/overview'), [], REFRESH_MS);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title" tabIndex={-1}>
        Overview
      </h1>
      <p class="muted" aria-live="polite">
        {error ? <span class="error">Not refreshed: {error}</span> : data ? `Refreshed ${new Date(data.at).toLocaleTimeString()}, every ${REFRESH_MS / 1000} s` : 'Loading…'}
      </p>
      <h2>Orders</h2>
      {data?.orders ? (
        <table>
          <Columns names={['Window', 'By state', 'Cancelled, by reason', 'Completed per second', 'p99 to final state']} />
          <tbody>
            {data.orders.map((window) => (
              <tr key={window.minutes}>
                <th scope="row">last {window.minutes} min</th>
                <td>{counts(window.byStatus)}</td>
                <td>{counts(window.byCancellationReason)}</td>
                <td>{window.completedPerSecond.toFixed(2)}</td>
                <td>{window.p99Ms === null ? '—' : `${window.p99Ms} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{data ? 'The order service did not answer.' : ''}</p>
      )}
      <h2>Services</h2>
      <table class="services">
        <Columns names={['Service', 'State', 'Outbox lag', 'Unpublished', 'Queue', 'Retrying', 'DLQ', 'Circuit breakers']} />
        <tbody>
          {data?.services.map((service) => {
            const queues = queueSummary(service.service, service.queues);
            return (
              <tr key={service.service} data-service={service.service}>
                <th scope="row">{service.service}</th>
                <td class={service.up ? 'ok' : 'error'}>{service.up ? 'up' : 'down'}</td>
                <td data-metric="outbox-lag" data-seconds={service.outboxOldestSeconds ?? ''}>
                  {service.outboxOldestSeconds === null ? '—' : `${service.outboxOldestSeconds.toFixed(1)} s`}
                </td>
                <td data-metric="outbox-unpublished">{service.outboxUnpublished ?? '—'}</td>
                <td>{queues.ready}</td>
                <td>{queues.retrying}</td>
                <td class={queues.dlq > 0 ? 'warn' : ''}>{queues.dlq > 0 ? <a href="#/dlq">{queues.dlq}</a> : 0}</td>
                <td>{Object.keys(service.breakers).length === 0 ? '—' : Object.entries(service.breakers).map(([dependency, state]) => `${dependency}: ${state}`).join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
