/**
 * A background job that runs `work` every `intervalMs`, never two runs at once. A run that says
 * there is more to do (a full batch) goes again at once, unless the job is stopping. A failed run
 * is logged and the next interval retries; stop() waits for the run in progress.
 */
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { BackgroundJob } from './run-service.ts';

export function startPeriodicJob(name: string, intervalMs: number, work: () => Promise<{ more: boolean }>, logger: Logger): BackgroundJob {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const runUntilDone = async () => {
    while (!stopped && (await work()).more);
  };
  const timer = setInterval(() => {
    running = running.then(runUntilDone).catch((error: unknown) => logger.warn({ err: describeError(error), job: name }, 'background job failed; next interval retries'));
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
