/**
 * A long PostgreSQL outage under load: the real server stopped for `downMs` while orders keep
 * coming, then started again. Clients get 503 with Retry-After meanwhile; consumers pause instead
 * of spending their messages' retries (the run's retry budget is about 70 s, far shorter than the
 * outage), so nothing may be dead-lettered and every accepted order must end once PostgreSQL is back.
 */
import { runChaos, type ChaosResult } from './run-chaos.ts';

export async function runPostgresOutage(options: { downMs: number; rate: number; replicas?: number; log?: (line: string) => void }): Promise<ChaosResult> {
  const before = 15_000;
  const after = 15_000;
  return runChaos({
    seed: 0,
    rate: options.rate,
    durationMs: before + options.downMs + after,
    replicas: options.replicas ?? 2,
    schedule: [{ atMs: before, kind: 'database-restart', downMs: options.downMs }],
    ...(options.log ? { log: options.log } : {}),
  });
}
