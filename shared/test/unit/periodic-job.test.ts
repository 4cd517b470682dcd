import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startPeriodicJob } from '../../src/service/periodic-job.ts';

const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('periodic background jobs', () => {
  it('when a run says there is more, then it goes again at once; a failing run is retried at the next interval; runs never overlap', async () => {
    const runs: string[] = [];
    let active = 0;
    let overlapped = false;
    const outcomes = ['more', 'more', 'done', 'fail', 'done'];
    const job = startPeriodicJob('test', 20, async () => {
      active += 1;
      overlapped ||= active > 1;
      await sleep(5);
      active -= 1;
      const outcome = outcomes.shift() ?? 'done';
      runs.push(outcome);
      if (outcome === 'fail') throw new Error('boom');
      return { more: outcome === 'more' };
    }, logger);
    await sleep(150);
    await job.stop();
    assert.deepEqual(runs.slice(0, 5), ['more', 'more', 'done', 'fail', 'done']);
    assert.equal(overlapped, false);
    const after = runs.length;
    await sleep(60);
    assert.equal(runs.length, after, 'nothing runs after stop()');
  });
});
