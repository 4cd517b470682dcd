import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterCommitRunner } from '../../src/consumer/apply-steps.ts';
import { createLogger } from '../../src/logger.ts';
import { sleep } from '../support/wait.ts';

describe('after-commit work', () => {
  it('when a batch asks for more work than the limit, then only that many run at once and what overflows the queue is left to the sweeper', async () => {
    const run = afterCommitRunner(createLogger('test', 'silent'), 2, 3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await sleep(20);
      running -= 1;
    };
    run([1, 2, 3, 4, 5, 6, 7].map(task));
    for (let waited = 0; (running > 0 || started.length < 5) && waited < 2_000; waited += 10) await sleep(10);
    await sleep(30);
    assert.equal(most, 2, 'never more than the limit at once');
    assert.deepEqual(started, [1, 2, 3, 4, 5], 'two running, three queued; the last two left to the sweeper');
  });
});
