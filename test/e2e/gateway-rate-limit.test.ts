import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Platform } from '../../scripts/platform.ts';
import { waitFor } from '../../shared/test/support/wait.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

// A Redis of the test's own, so stopping and pausing it disturbs nothing else on the machine.
const REDIS_PORT = 16399;
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;

function startRedis(): ChildProcess {
  return spawn('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

async function redisAnswers(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describe('gateway rate limits (real Redis, two gateways)', { skip: needsLocalServers }, () => {
  // Only gateways: their upstreams are absent (a served request answers 503), which is fine for
  // counting refusals. Two of them share one Redis, as two replicas would.
  const budgets = { RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_TOKEN_PER_MINUTE: '3', REDIS_URL };
  // A platform takes basePort to basePort + 11 (services, sink, metrics ports): the two must not overlap.
  const gateways = [18180, 18280].map((basePort) => new Platform({ basePort, databasePrefix: 'e2e', amqpUrl: 'amqp://unused', env: { gateway: budgets } }));
  let redis: ChildProcess;
  const url = (index: number) => gateways[index]!.url('gateway');
  const product = '/products/00000000-0000-4000-8000-000000000000';

  before(async () => {
    redis = startRedis();
    await waitFor('the test Redis', redisAnswers);
    for (const gateway of gateways) gateway.start('gateway');
    for (const index of [0, 1]) await waitFor('a gateway', async () => (await fetch(`${url(index)}/health`).catch(() => null))?.ok);
  });
  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop('gateway')));
    redis.kill('SIGKILL');
  });

  it('when one client bursts across two gateways, then the budget is shared: the excess gets 429 problem+json with Retry-After and RateLimit headers', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a fresh one-second window
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${url(i % 2)}${product}`)));
    const limited = answers.filter((answer) => answer.status === 429);
    // Five per second in all: were the budgets per instance, at most 2 of 12 would be refused.
    assert.ok(limited.length >= 7, `${limited.length} of 12 refused`);
    const served = answers.find((answer) => answer.status !== 429)!;
    assert.match(served.headers.get('ratelimit-policy') ?? '', /"ip";q=5;w=1/);
    assert.match(limited[0]!.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(limited[0]!.headers.get('retry-after')) >= 1);
    assert.match(limited[0]!.headers.get('ratelimit') ?? '', /"ip";r=0;t=\d+/);
    const spoofed = await fetch(`${url(0)}${product}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(spoofed.status, 429, 'a spoofed X-Forwarded-For does not buy a fresh budget');
  });

  it('when the token endpoint is hammered, then its tighter budget refuses the excess for the rest of the minute', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await fetch(`${url(i % 2)}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
      statuses.push(answer.status);
      if (answer.status === 429) assert.match(answer.headers.get('ratelimit') ?? '', /"token";r=0/);
    }
    assert.deepEqual(statuses.map((status) => status === 429), [false, false, false, true]);
  });

  it('when Redis is paused, then no request waits on it; when it is stopped, then requests are still served and limited in each instance', async () => {
    const admin = new Redis(REDIS_URL);
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    admin.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // A hung request would trip its 2 s abort and fail the test.
    const paused = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url(0)}${product}`, { signal: AbortSignal.timeout(2_000) })));
    assert.equal(paused.length, 8);
    assert.ok(paused.some((answer) => answer.status === 429), 'still limited (in-memory budget) while Redis is paused');

    redis.kill('SIGKILL');
    await waitFor('Redis to be gone', async () => !(await redisAnswers()));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const stopped = await Promise.all(Array.from({ length: 12 }, () => fetch(`${url(1)}${product}`, { signal: AbortSignal.timeout(2_000) })));
    const refused = stopped.filter((answer) => answer.status === 429).length;
    assert.ok(refused >= 7 && refused < 12, `served and limited in-process: ${refused} of 12 refused`);
    redis = startRedis();
  });
});
