import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDependencyOutage } from '../../src/dependency-outage.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('dependency outages', () => {
  it('when the database, the broker, Redis or a downstream service is down or unreachable, then it is an outage (503), along the cause chain', () => {
    const outages = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode("Can't reach database server", 'P1001'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('too many connections', '53300'),
      new Error('Connection terminated unexpectedly'),
      new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
      new Error('Connection is closed.'),
      // pg, for a pooled client whose connection broke (PostgreSQL terminated it): seen as a 500 in a chaos run.
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('driver adapter error', { cause: new Error('wrapped', { cause: withCode('x', '08006') }) }),
    ];
    for (const error of outages) assert.equal(isDependencyOutage(error), true, String(error));
  });

  it('when the error is a bug or a refused request, then it is not an outage', () => {
    for (const error of [new TypeError('x is undefined'), withCode('Unique constraint failed', 'P2002'), withCode('syntax error', '42601'), withCode('check violation', '23514')]) {
      assert.equal(isDependencyOutage(error), false, String(error));
    }
  });
});
