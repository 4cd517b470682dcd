import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_KINDS, faultSchedule } from './fault-schedule.ts';

describe('the chaos fault schedule', () => {
  it('when the same seed is given, then the same faults come at the same offsets; another seed gives another schedule', () => {
    assert.deepEqual(faultSchedule(1, 120_000), faultSchedule(1, 120_000));
    assert.notDeepEqual(faultSchedule(1, 120_000), faultSchedule(2, 120_000));
  });

  it('when the run is two minutes long, then every fault kind appears, all within the run', () => {
    const faults = faultSchedule(1, 120_000);
    assert.deepEqual(new Set(faults.map((fault) => fault.kind)), new Set(FAULT_KINDS));
    assert.ok(new Set(faults.filter((fault) => fault.kind === 'kill').map((fault) => fault.instance)).size === 2, 'both instances are killed at some point');
    assert.ok(faults.every((fault) => fault.atMs >= 12_000 && fault.atMs < 108_000));
  });
});
