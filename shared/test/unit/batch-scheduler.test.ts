import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchScheduler } from '../../src/consumer/batch-scheduler.ts';
import { sleep } from '../support/wait.ts';

type Item = { key: string; name: string };

function scheduler(concurrency: number, behave: (batch: Item[]) => Promise<void> = () => sleep(10)) {
  const batches: string[][] = [];
  const running = new Set<string>();
  const overlaps: string[] = [];
  const queue = new BatchScheduler<Item>({
    maxBatch: 3,
    concurrency,
    keyOf: (item) => item.key,
    run: async (batch) => {
      for (const item of batch) if (running.has(item.key)) overlaps.push(item.name);
      batch.forEach((item) => running.add(item.key));
      batches.push(batch.map((item) => item.name));
      try {
        await behave(batch);
      } finally {
        batch.forEach((item) => running.delete(item.key));
      }
    },
  });
  return { queue, batches, overlaps };
}

const until = async (done: () => boolean) => {
  for (let waited = 0; !done() && waited < 2_000; waited += 5) await sleep(5);
};

describe('BatchScheduler', () => {
  it('when items share a key, then they run in the order given, never in two batches at once, even after a batch fails', async () => {
    const { queue, batches, overlaps } = scheduler(2, async (batch) => {
      await sleep(10);
      if (batch.some((item) => item.name === 'a1')) throw new Error('a1 failed');
    });
    for (const [key, name] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1'], ['c', 'c1'], ['a', 'a3'], ['b', 'b2']] as const) queue.add({ key, name });
    await until(() => queue.size === 0);
    assert.deepEqual(overlaps, [], 'no key in two running batches');
    const order = batches.flat();
    assert.deepEqual(order.filter((name) => name.startsWith('a')), ['a1', 'a2', 'a3']);
    assert.deepEqual(order.filter((name) => name.startsWith('b')), ['b1', 'b2']);
    assert.equal(batches[0]!.join(), 'a1', 'a lone item runs at once');
    assert.ok(batches.length < 6, `later items were batched: ${JSON.stringify(batches)}`);
  });

  it('when items of a closed channel are discarded, then only what has not started is forgotten', async () => {
    const { queue, batches } = scheduler(1);
    for (const name of ['x1', 'x2', 'x3']) queue.add({ key: name, name });
    queue.discard((item) => item.name !== 'x3');
    await until(() => queue.size === 0);
    assert.deepEqual(batches, [['x1'], ['x3']]);
  });
});
