import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerial } from '../../src/consumer/keyed-serial.ts';
import { sleep } from '../support/wait.ts';

describe('KeyedSerial', () => {
  it('when tasks share a key, then they run one at a time in the order given, even if an earlier one fails', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
    };
    await Promise.allSettled([serial.run('a', task('a1', 30, true)), serial.run('a', task('a2', 1)), serial.run('b', task('b1', 5))]);
    assert.deepEqual(log.filter((line) => line.endsWith('a1') || line.endsWith('a2')), ['start a1', 'end a1', 'start a2', 'end a2']);
    assert.ok(log.indexOf('end b1') < log.indexOf('end a1'), 'another key ran meanwhile');
    await sleep(1);
    assert.equal(serial.size, 0, 'finished keys are forgotten');
  });
});
