/**
 * A long PostgreSQL outage under load: the real server stopped for `downMs` while orders keep
 * coming, then started again. Clients get 503 with Retry-After meanwhile; consumers pause instead
 * of spending their messages' retries (the run's retry budget is far shorter than the outage:
 * about 70 s by default, or `retryDelaysMs`), so nothing may be dead-lettered and every accepted
 * order must end once PostgreSQL is back. No process may crash meanwhile (`exits`). At a low rate
 * few messages are in flight when PostgreSQL stops: the pause itself is proved message by message
 * in shared/test/consumer-database-outage.test.ts.
 */
import { runChaos, type ChaosResult } from './run-chaos.ts';

export async function runPostgresOutage(options: { downMs: number; rate: number; replicas?: number; retryDelaysMs?: readonly number[]; log?: (line: string) => void }): Promise<ChaosResult> {
  const before = 15_000;
  const after = 15_000;
  return runChaos({
    seed: 0,
    rate: options.rate,
    durationMs: before + options.downMs + after,
    replicas: options.replicas ?? 2,
    schedule: [{ atMs: before, kind: 'database-restart', downMs: options.downMs }],
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
